/**
 * Validation against the schemas of Nomad's OpenAPI spec, made strict: an
 * object may only carry the properties the spec names, so a misspelt or
 * invented field in a job we send is caught.
 */
import { Ajv, type ValidateFunction } from "ajv"
import { parse } from "yaml"
import { contractText } from "./contracts.ts"

type JsonSchema = Record<string, unknown>

const strict = (schema: unknown): unknown => {
  if (Array.isArray(schema)) return schema.map(strict)
  if (schema === null || typeof schema !== "object") return schema
  const copy: JsonSchema = {}
  for (const [key, value] of Object.entries(schema)) {
    copy[key] = key === "properties"
      ? Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, strict(v)]))
      : strict(value)
  }
  if (copy["properties"] !== undefined && copy["additionalProperties"] === undefined) {
    copy["additionalProperties"] = false
  }
  return copy
}

let cached: Ajv | undefined

const ajv = (): Ajv => {
  if (cached !== undefined) return cached
  const spec = parse(contractText("nomad/openapi.yaml")) as { components: { schemas: Record<string, unknown> } }
  cached = new Ajv({ strict: false, allErrors: true, validateFormats: false })
  cached.addSchema({ $id: "nomad", components: { schemas: strict(spec.components.schemas) } })
  return cached
}

export const nomadSchemaValidator = (name: string): ValidateFunction => {
  const validate = ajv().getSchema(`nomad#/components/schemas/${name}`)
  if (validate === undefined) throw new Error(`no schema ${name} in Nomad's OpenAPI spec`)
  return validate
}
