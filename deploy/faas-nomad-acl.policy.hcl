# Nomad ACL policy of faas-nomad: what the provider's token may do.
#
# With the job in deploy/openfaas.nomad.hcl the token is the faas-nomad task's
# workload identity (identity { env = true } gives it NOMAD_TOKEN). Bind this
# policy to that task, in the namespace the openfaas job runs in (a management
# token is needed to apply policies):
#
#   nomad acl policy apply \
#     -namespace default -job openfaas -group openfaas -task faas-nomad \
#     -description "faas-nomad provider" \
#     faas-nomad deploy/faas-nomad-acl.policy.hcl
#
# Leave out -task (or -group and -task) to bind it to the whole group (or job).
# A provider run outside Nomad can use an ordinary ACL token with this policy
# instead: nomad acl policy apply faas-nomad deploy/faas-nomad-acl.policy.hcl,
# then nomad acl token create -name faas-nomad -policy faas-nomad, and pass its
# secret ID as NOMAD_TOKEN.
#
# What the provider calls, and the capability each needs:
#   list-jobs    GET /v1/jobs (list functions)
#   read-job     GET /v1/job/:id, /v1/job/:id/allocations, /v1/allocations,
#                /v1/service/:name (service_discovery=nomad),
#                /v1/client/allocation/:id/stats (autoscaled functions of
#                com.openfaas.scale.type=cpu)
#   submit-job   PUT /v1/jobs (deploy, update), DELETE /v1/job/:id
#   scale-job    POST /v1/job/:id/scale (scale, scale from zero)
#   read-logs    GET /v1/client/fs/logs/:alloc (GET /system/logs)
#   variables    /v1/var/openfaas-secrets/* (secrets_backend=nomad) and
#                /v1/var/faas-nomad/autoscaler/* (the autoscaler), below
# dispatch-job, alloc-exec, read-fs and the rest are not needed.
# GET /v1/namespaces and /v1/namespace/:name (GET /system/namespaces) are
# allowed by any capability on a namespace, so the rules below cover them; the
# list shows only the namespaces the token has a rule for.
#
# OpenFaaS namespaces are Nomad namespaces. "*" lets the provider manage
# functions in every namespace; to confine it, replace "*" with one block per
# namespace (e.g. "default" and the namespaces with Meta openfaas=true).
namespace "*" {
  capabilities = ["list-jobs", "read-job", "submit-job", "scale-job", "read-logs"]

  # Function secrets when secrets_backend=nomad: one Nomad Variable per secret
  # at <nomad_secret_prefix>/<name> (default openfaas-secrets/<name>) in the
  # function's namespace. The provider reads, writes (check-and-set), lists
  # and deletes them. Not needed with secrets_backend=vault.
  variables {
    path "openfaas-secrets/*" {
      capabilities = ["write", "read", "list", "destroy"]
    }

    # The autoscaler (autoscaler=on, the default), whatever secrets_backend
    # says, in NOMAD_NAMESPACE: its lease, a lock on the variable
    # faas-nomad/autoscaler/leader (lock-acquire, -renew and -release need
    # write), and each provider replica's load snapshot at
    # faas-nomad/autoscaler/load/<replica>, which the leader lists and reads,
    # and deletes once its replica has died (destroy).
    path "faas-nomad/autoscaler/*" {
      capabilities = ["write", "read", "list", "destroy"]
    }
  }
}
