#!/usr/bin/env node
// Validates STIX 2.1 bundles against the official OASIS STIX 2.1 JSON schemas
// (a copy in ../shared/data/stix2-schemas, read in place; every $ref resolves
// offline through the schemas' own $id). Draft 2020-12, ajv + ajv-formats.
//
//   node tests/stix/validate.mjs [--schemas DIR] [--definitions DEFS.json] BUNDLE.json ...
//
// DEFS.json: the extension-definition objects the bundles refer to (an array,
// from `simpul export --format stix-extensions`). The official bundle schema
// cannot hold an extension-definition (its "custom object" branch is a oneOf
// of core.json and cyber-observable-core.json, and such an object satisfies
// both), so they travel beside the bundles; each is validated here against
// common/extension-definition.json.
//
// Each bundle: the bundle schema; each object against the schema of its type
// (sdos/, sros/, observables/, common/marking-definition, common/extension-
// definition; SCO types of our own against cyber-observable-core, and they
// must be declared by an extension-definition in the bundle with "new-sco");
// every extension-definition--... key must name a definition in the bundle
// (or the FIRST TLP 2.0 one); every *_ref(s) must name an object in the
// bundle or a TLP 2.0 marking. Prints "ok FILE" or the errors; exits 1 on any.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let schemasDir = process.env.SIMPUL_DATA ? path.join(process.env.SIMPUL_DATA, "stix2-schemas")
  : path.join(here, "..", "..", "..", "shared", "data", "stix2-schemas");
const files = [];
let defsFile = null;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--schemas") schemasDir = args[++i];
  else if (args[i] === "--definitions") defsFile = args[++i];
  else files.push(args[i]);
}
if (!fs.existsSync(schemasDir)) {
  console.error(`validate.mjs: no STIX schemas at ${schemasDir} (set SIMPUL_DATA)`);
  process.exit(2);
}

// unicodeRegExp off: the official schemas use escapes (\-) that the "u" flag rejects.
const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
addFormats(ajv);
// ajv-formats has no idn-hostname (domain-name.value): a label check of our own.
ajv.addFormat("idn-hostname", /^(?=.{1,253}$)[^\s.\/:@]{1,63}(\.[^\s.\/:@]{1,63})*\.?$/);
const byName = {};
for (const sub of ["common", "sdos", "sros", "observables"]) {
  for (const f of fs.readdirSync(path.join(schemasDir, sub))) {
    if (!f.endsWith(".json")) continue;
    const s = JSON.parse(fs.readFileSync(path.join(schemasDir, sub, f), "utf8"));
    ajv.addSchema(s);
    byName[`${sub}/${f.replace(/\.json$/, "")}`] = s.$id;
  }
}

const TLP2_EXT = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
const TLP2 = new Set([
  "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
  "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
  "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
  "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
  "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
]);

function schemaFor(type) {
  for (const sub of ["sdos", "sros", "observables"]) if (byName[`${sub}/${type}`]) return [byName[`${sub}/${type}`], false];
  if (type === "marking-definition") return [byName["common/marking-definition"], false];
  if (type === "extension-definition") return [byName["common/extension-definition"], false];
  if (type === "language-content") return [byName["common/language-content"], false];
  return [byName["common/cyber-observable-core"], true];
}

function refsOf(o, out = []) {
  for (const [k, v] of Object.entries(o)) {
    if (k.endsWith("_ref") && typeof v === "string") out.push([k, v]);
    else if (k.endsWith("_refs") && Array.isArray(v)) for (const x of v) out.push([k, x]);
    else if (v && typeof v === "object" && !Array.isArray(v) && k !== "extensions") refsOf(v, out);
  }
  return out;
}

let bad = 0;
const defs = new Map();   // extension-definition id -> object
if (defsFile) {
  const arr = JSON.parse(fs.readFileSync(defsFile, "utf8"));
  arr.forEach((o, i) => {
    const [sid] = schemaFor(o.type);
    if (!ajv.validate(sid, o)) {
      bad++;
      console.log(`FAIL ${defsFile}: [${i}] ${o.id}: ${ajv.errorsText(ajv.errors).slice(0, 2000)}`);
    }
    if (o.type === "extension-definition") defs.set(o.id, o);
  });
  if (!bad) console.log(`ok ${defsFile} (${arr.length} objects)`);
}
for (const file of files) {
  const errs = [];
  let b;
  try {
    b = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    errs.push(`not JSON: ${e.message}`);
  }
  if (b) {
    if (!ajv.validate(byName["common/bundle"], b)) errs.push(`bundle: ${ajv.errorsText(ajv.errors).slice(0, 3000)}`);
    const objs = Array.isArray(b.objects) ? b.objects : [];
    if (!objs.length) errs.push("bundle: no objects");
    const ids = new Set(objs.map((o) => o.id));
    const newSco = new Set();
    for (const o of [...objs, ...defs.values()]) {
      if (o.type === "extension-definition" && (o.extension_types || []).includes("new-sco")) newSco.add(o.id);
    }
    objs.forEach((o, i) => {
      const [sid, custom] = schemaFor(o.type);
      if (!ajv.validate(sid, o)) errs.push(`objects[${i}] ${o.id}: ${ajv.errorsText(ajv.errors).slice(0, 2000)}`);
      if (custom) {
        const decl = Object.keys(o.extensions || {}).filter((k) => newSco.has(k) && o.extensions[k].extension_type === "new-sco");
        if (!decl.length) errs.push(`objects[${i}] ${o.id}: type ${o.type} is not declared by a new-sco extension-definition`);
      }
      for (const k of Object.keys(o.extensions || {})) {
        if (k.startsWith("extension-definition--") && k !== TLP2_EXT && !ids.has(k) && !defs.has(k))
          errs.push(`objects[${i}] ${o.id}: extension ${k} has no extension-definition`);
      }
      for (const [k, r] of refsOf(o)) {
        if (!ids.has(r) && !TLP2.has(r)) errs.push(`objects[${i}] ${o.id}: ${k} ${r} is not in the bundle`);
      }
    });
    if (ids.size !== objs.length) errs.push("bundle: duplicate object ids");
  }
  if (errs.length) {
    bad++;
    console.log(`FAIL ${file}`);
    for (const e of errs.slice(0, 30)) console.log(`  ${e}`);
  } else {
    console.log(`ok ${file} (${b.objects.length} objects)`);
  }
}
process.exit(bad ? 1 : 0);
