#!/usr/bin/env node
// The `embedscape` command: a committed, executable launcher (the compiler rewrites dist/ without the exec bit).
import "../dist/cli/main.js";
