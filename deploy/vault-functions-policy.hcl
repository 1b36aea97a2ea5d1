# Vault policy "openfaas-functions": function tasks, when secrets_backend=vault.
#
# Each function with secrets gets a vault block with role = <vault_role> (the
# provider's setting; deploy/openfaas.nomad.hcl sets "openfaas-functions") and
# one template per secret reading secret/data/openfaas/<namespace>/<name>.
#
#   vault policy write openfaas-functions deploy/vault-functions-policy.hcl
#
# JWT role for the function jobs (IDs <job_prefix><name>, "OpenFaaS-" by
# default); glob bound claims match every function job and nothing else.
# jwt-nomad stands for the JWT auth mount the Nomad clients use:
#
#   vault write auth/jwt-nomad/role/openfaas-functions - <<'JSON'
#   {
#     "role_type": "jwt",
#     "bound_audiences": ["vault.io"],
#     "bound_claims_type": "glob",
#     "bound_claims": { "nomad_job_id": "OpenFaaS-*" },
#     "user_claim": "/nomad_job_id",
#     "user_claim_json_pointer": true,
#     "claim_mappings": {
#       "nomad_namespace": "nomad_namespace",
#       "nomad_job_id": "nomad_job_id",
#       "nomad_task": "nomad_task"
#     },
#     "token_type": "service",
#     "token_policies": ["openfaas-functions"],
#     "token_period": "30m",
#     "token_explicit_max_ttl": 0
#   }
#   JSON
#
# "+" matches exactly one path segment, so this reads secret/openfaas/<ns>/<name>
# but not secret/openfaas/basic-auth, the gateway's credentials.
path "secret/data/openfaas/+/*" {
  capabilities = ["read"]
}

# Stricter: confine each function to the secrets of its own namespace with a
# templated policy on the nomad_namespace claim the role maps into the entity
# alias metadata (as in the Nomad "Vault ACL" docs). Replace the block above
# with this one; auth_jwt_XXXXXXXX is the JWT mount's accessor (vault auth list):
#
# path "secret/data/openfaas/{{identity.entity.aliases.auth_jwt_XXXXXXXX.metadata.nomad_namespace}}/*" {
#   capabilities = ["read"]
# }
