// Validates every object in the Kubernetes manifests of a folder against Kubernetes' published
// OpenAPI schemas, through npm's kubernetes-models (each model's validate()). ES modules find
// packages beside the importing file, so test_export_kubernetes.cpp copies this file into the
// temporary folder npm installed into, and runs it there:
//   node FOLDER/validate_kubernetes.mjs FILE.yaml...
// Prints "ok KIND NAME" per valid object, "invalid FILE KIND NAME: why" per other; exit 1 if any
// object is invalid or of a kind it cannot check.
import { readFileSync } from "node:fs";
import YAML from "yaml";

const files = process.argv.slice(2);

let failed = false;
for (const file of files) {
  for (const document of YAML.parseAllDocuments(readFileSync(file, "utf8"))) {
    if (document.errors.length) {
      console.log(`invalid ${file}: not YAML: ${document.errors[0].message}`);
      failed = true;
      continue;
    }
    const object = document.toJS();
    const { apiVersion, kind } = object;
    const name = object.metadata?.name ?? "(no name)";
    // "v1" is the core group; "apps/v1" lives under kubernetes-models/apps/v1/.
    const model = `kubernetes-models/${apiVersion}/${kind}`;
    let Model;
    try {
      Model = (await import(model))[kind];
    } catch (error) {
      console.log(`invalid ${file} ${kind} ${name}: no schema for ${apiVersion} ${kind} (${error.message})`);
      failed = true;
      continue;
    }
    try {
      new Model(object).validate();
      console.log(`ok ${kind} ${name}`);
    } catch (error) {
      console.log(`invalid ${file} ${kind} ${name}: ${error.message}`);
      failed = true;
    }
  }
}
process.exit(failed ? 1 : 0);
