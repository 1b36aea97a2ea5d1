# Vault policy "faas-nomad": the tasks of the openfaas job (deploy/openfaas.nomad.hcl).
#
# The provider keeps function secrets in the KV v2 engine mounted at "secret"
# (vault_kv_mount) under "openfaas" (vault_secret_prefix), one secret per
# function secret at secret/openfaas/<namespace>/<name>: it writes
# secret/data/..., and reads, lists and deletes through secret/metadata/...
# Both tasks also read the basic-auth credentials at secret/openfaas/basic-auth.
#
#   vault policy write faas-nomad deploy/vault-policy.hcl
#
# Nomad gets the tasks their Vault tokens through workload identity: the job's
# vault { role = "faas-nomad" } blocks log in to the JWT auth method that the
# Nomad clients use (their vault.jwt_auth_backend_path) with that role. Create
# the role with this policy, bound to the openfaas job (the form the Nomad
# "Vault ACL" docs give; jwt-nomad here stands for your JWT auth mount):
#
#   vault write auth/jwt-nomad/role/faas-nomad - <<'JSON'
#   {
#     "role_type": "jwt",
#     "bound_audiences": ["vault.io"],
#     "bound_claims": { "nomad_namespace": "default", "nomad_job_id": "openfaas" },
#     "user_claim": "/nomad_job_id",
#     "user_claim_json_pointer": true,
#     "claim_mappings": {
#       "nomad_namespace": "nomad_namespace",
#       "nomad_job_id": "nomad_job_id",
#       "nomad_task": "nomad_task"
#     },
#     "token_type": "service",
#     "token_policies": ["faas-nomad"],
#     "token_period": "30m",
#     "token_explicit_max_ttl": 0
#   }
#   JSON
#
# bound_audiences must match the aud of the tasks' Vault identity
# (vault.default_identity on the Nomad servers, or an identity "vault_default"
# block in the task). token_explicit_max_ttl = 0 lets Nomad renew the token for
# as long as the task runs. The policy for function tasks is
# deploy/vault-functions-policy.hcl.

# Function secrets: create, update, read and delete the data.
path "secret/data/openfaas/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# Function secrets: read metadata (existence), list a namespace's secrets
# (LIST secret/metadata/openfaas/<namespace>/), delete every version.
path "secret/metadata/openfaas/*" {
  capabilities = ["create", "read", "update", "delete", "list"]
}

# The provider looks up its token at start and renews it at half its TTL.
path "auth/token/lookup-self" {
  capabilities = ["read"]
}

path "auth/token/renew-self" {
  capabilities = ["update"]
}
