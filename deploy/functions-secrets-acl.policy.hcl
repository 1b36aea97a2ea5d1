# Nomad ACL policy for function tasks when secrets_backend=nomad and ACLs are on.
#
# A function with secrets renders each one with
#   {{ with nomadVar "openfaas-secrets/<secret>" }}...{{ end }}
# in its own namespace. A task's workload identity may read only the Variables
# under nomad/jobs/<its job ID> without further ACL policies; openfaas-secrets/*
# needs this policy bound to the function's job. Without it, nomadVar cannot
# read the secret and the template blocks, so the function does not start.
#
# Nomad binds a workload-associated policy to one job (optionally one group and
# task) in one namespace: -namespace and -job are required and take exact
# values, and the Nomad docs describe no wildcard for them. So apply it once
# per function job, under a policy name of its own (each policy carries one
# binding). The job ID is <job_prefix><name>, "OpenFaaS-figlet" for a function
# "figlet" with the default job_prefix:
#
#   nomad acl policy apply \
#     -namespace default -job OpenFaaS-figlet \
#     -description "secrets of OpenFaaS function figlet" \
#     openfaas-fn-figlet deploy/functions-secrets-acl.policy.hcl
#
# Apply it before `faas-cli deploy` of a function with secrets: the binding is
# by namespace and job ID, not by a job that must already exist. Remove it with
# `nomad acl policy delete openfaas-fn-figlet` when the function goes away.
#
# The namespace label below must be the function's namespace (the -namespace
# above). To give a function only its own secrets, replace the glob with one
# path block per secret it uses, e.g. path "openfaas-secrets/api-key".
namespace "default" {
  variables {
    path "openfaas-secrets/*" {
      capabilities = ["read"]
    }
  }
}
