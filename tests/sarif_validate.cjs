// Validates SARIF logs against the SARIF 2.1.0 JSON schema (the OASIS
// schema as Microsoft publishes it in @microsoft/jest-sarif), with ajv 6.
// scripts/bootstrap installs both into build/tools/sarif.
// Usage: NODE_PATH=build/tools/sarif/node_modules node sarif_validate.cjs FILE...
// Prints one line per schema error ("FILE: PATH: MESSAGE"); exit 0 when
// every file is valid, 1 when one is not, 2 when a file cannot be read.
'use strict';
const fs = require('fs');
const Ajv = require('ajv');
const draft4 = require('ajv/lib/refs/json-schema-draft-04.json');
const schema = require('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

const ajv = new Ajv({ schemaId: 'id', allErrors: true, meta: false });
ajv.addMetaSchema(draft4);
const validate = ajv.compile(schema);
let status = 0;
for (const file of process.argv.slice(2)) {
    let log;
    try {
        log = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
        console.error(`${file}: ${e.message}`);
        status = 2;
        continue;
    }
    if (!validate(log)) {
        for (const e of validate.errors)
            console.log(`${file}: ${e.dataPath || '/'}: ${e.message}`);
        status = status || 1;
    }
}
process.exit(status);
