# OpenFaaS on Nomad: the OpenFaaS CE gateway in front of faas-nomad, in one
# task group. See deploy/README.md for the steps around it (image, basic-auth
# secret, ACL and Vault policies).
#
#   nomad job run deploy/openfaas.nomad.hcl
#   nomad job run -var 'faas_nomad_image=registry.example.com/faas-nomad:0.1.0' deploy/openfaas.nomad.hcl
#
# Needs Nomad 1.7 or later (workload identities for Nomad ACLs and Vault), Linux
# clients with Docker and the CNI reference plugins (bridge networking, below),
# and, with the defaults, Consul for service discovery and Vault for secrets.

variable "datacenters" {
  description = "Datacenters this job may run in"
  type        = list(string)
  default     = ["*"]
}

variable "replicas" {
  description = "Instances of the gateway and provider pair, at most one per node (the gateway's host port is static); the providers' autoscaler elects one leader through a Nomad Variable lock"
  type        = number
  default     = 1
}

variable "namespace" {
  description = "Nomad namespace of this job (the ACL binding in deploy/README.md names it)"
  type        = string
  default     = "default"
}

variable "gateway_image" {
  description = "OpenFaaS CE gateway image. OpenFaaS purges old CE images from ghcr.io now and then: pin one that exists"
  type        = string
  default     = "ghcr.io/openfaas/gateway:0.27.12"
}

variable "faas_nomad_image" {
  description = "faas-nomad image, built from the Dockerfile at the repository root"
  type        = string
  default     = "ghcr.io/openfaas/faas-nomad:latest"
}

variable "gateway_port" {
  description = "Host port of the gateway's API and UI"
  type        = number
  default     = 8080
}

variable "service_provider" {
  description = "consul or nomad: where this job's services and the functions' services register (the provider's service_discovery)"
  type        = string
  default     = "consul"
}

variable "secrets_backend" {
  description = "vault or nomad: where function secrets are stored (the provider's secrets_backend)"
  type        = string
  default     = "vault"
}

variable "vault_addr" {
  description = "Vault address the provider calls for function secrets (VAULT_ADDR)"
  type        = string
  default     = "https://vault.service.consul:8200"
}

variable "vault_role" {
  description = "Vault JWT role of this job's tasks (deploy/vault-policy.hcl)"
  type        = string
  default     = "faas-nomad"
}

variable "functions_vault_role" {
  description = "Vault JWT role the provider puts in every function's vault block (vault_role; deploy/vault-functions-policy.hcl)"
  type        = string
  default     = "openfaas-functions"
}

variable "functions_namespace" {
  description = "Nomad namespace of functions when a request names none (NOMAD_NAMESPACE of the provider)"
  type        = string
  default     = "default"
}

variable "functions_datacenters" {
  description = "Datacenters functions run in unless their constraints name some (job_datacenters, comma-separated)"
  type        = string
  default     = "*"
}

job "openfaas" {
  datacenters = var.datacenters
  namespace   = var.namespace
  type        = "service"

  # Bridge networking needs Linux (network namespaces and CNI plugins).
  constraint {
    attribute = "${attr.kernel.name}"
    value     = "linux"
  }

  update {
    max_parallel      = 1
    health_check      = "checks"
    min_healthy_time  = "10s"
    healthy_deadline  = "3m"
    progress_deadline = "10m"
    auto_revert       = true
  }

  group "openfaas" {
    # One gateway and provider pair per instance, each on its own node (the
    # gateway's host port is static); put a load balancer or DNS in front of
    # the gateways when there are several. The providers' autoscaler elects one
    # leader and sums their loads through Nomad Variables (the ACL policy
    # grants faas-nomad/autoscaler/*); invocation counts in GET
    # /system/functions are each provider's own.
    count = var.replicas

    # Bridge networking: the two tasks share one network namespace, so the
    # gateway reaches the provider at 127.0.0.1:8081 (functions_provider_url
    # below) and nothing else on the host sees the provider except through the
    # mapped "provider" port. Host mode creates no shared network namespace
    # (only bridge mode does), so the gateway would have to find the provider
    # at the node's address and a host port, and the provider's port would be
    # open on the node like any other. The price of bridge mode is that the CNI
    # reference plugins must be installed on the clients (cni_path), and that
    # "127.0.0.1" inside the namespace is not the host: Nomad, Consul and Vault
    # are reached at the node's address (see the provider's env).
    network {
      mode = "bridge"

      # Gateway API and UI (the gateway always listens on 8080).
      port "http" {
        static = var.gateway_port
        to     = 8080
      }

      # Gateway Prometheus metrics and its own /healthz (always 8082).
      port "gateway_metrics" {
        to = 8082
      }

      # faas-nomad (port=8081). Mapped to a dynamic host port only so that
      # health checks and Prometheus can reach it; the gateway uses loopback.
      port "provider" {
        to = 8081
      }
    }

    restart {
      attempts = 5
      interval = "5m"
      delay    = "10s"
      mode     = "delay"
    }

    # Service names must not start with "openfaas-": with the default job_prefix
    # the functions register as openfaas-<name>, and a function named "gateway"
    # would share the service.
    service {
      name     = "faas-gateway"
      provider = var.service_provider
      port     = "http"
      tags     = ["openfaas", "gateway"]

      # The gateway forwards /healthz to the provider's /healthz, so this
      # checks both; it needs no credentials.
      check {
        name     = "gateway healthz"
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "3s"
      }
    }

    service {
      name     = "faas-gateway-metrics"
      provider = var.service_provider
      port     = "gateway_metrics"
      tags     = ["openfaas", "metrics", "prometheus"]

      meta {
        metrics_path = "/metrics"
      }

      check {
        name     = "gateway metrics healthz"
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "3s"
      }
    }

    service {
      name     = "faas-nomad"
      provider = var.service_provider
      port     = "provider"
      tags     = ["openfaas", "provider"]

      check {
        name     = "faas-nomad healthz"
        type     = "http"
        path     = "/healthz"
        interval = "10s"
        timeout  = "3s"
      }
    }

    # The provider's Prometheus endpoint (open, like faas-provider's): API
    # request metrics, function invocation metrics and replica gauges.
    service {
      name     = "faas-nomad-metrics"
      provider = var.service_provider
      port     = "provider"
      tags     = ["openfaas", "metrics", "prometheus"]

      meta {
        metrics_path = "/metrics"
      }
    }

    task "gateway" {
      driver = "docker"

      config {
        image = var.gateway_image
        # No `ports` here: in bridge mode the group network's `to` values map
        # the host ports into the shared namespace.
      }

      # A Vault token for the templates below only: not put in the
      # environment or on disk for the gateway process (the "private token"
      # form of the vault block).
      vault {
        role         = var.vault_role
        env          = false
        disable_file = true
        change_mode  = "noop"
      }

      # Basic-auth credentials, from Vault KV v2:
      #   vault kv put secret/openfaas/basic-auth user=admin password=...
      # Both tasks read the files once at start, so a change restarts them.
      # Docker tasks see the task's secrets/ directory at /secrets.
      template {
        data        = "{{ with secret \"secret/data/openfaas/basic-auth\" }}{{ .Data.data.user }}{{ end }}"
        destination = "secrets/basic-auth-user"
        perms       = "0444"
        change_mode = "restart"
      }

      template {
        data        = "{{ with secret \"secret/data/openfaas/basic-auth\" }}{{ .Data.data.password }}{{ end }}"
        destination = "secrets/basic-auth-password"
        perms       = "0444"
        change_mode = "restart"
      }

      # Alternative without Vault: a Nomad Variable at nomad/jobs/openfaas, which
      # every task of this job may read with no extra ACL policy:
      #   nomad var put -namespace default nomad/jobs/openfaas user=admin password=...
      # Replace the two templates above (and remove the vault block) with:
      #
      # template {
      #   data        = "{{ with nomadVar \"nomad/jobs/openfaas\" }}{{ .user }}{{ end }}"
      #   destination = "secrets/basic-auth-user"
      #   perms       = "0444"
      #   change_mode = "restart"
      # }
      #
      # template {
      #   data        = "{{ with nomadVar \"nomad/jobs/openfaas\" }}{{ .password }}{{ end }}"
      #   destination = "secrets/basic-auth-password"
      #   perms       = "0444"
      #   change_mode = "restart"
      # }

      # The gateway's settings (openfaas/faas gateway/types/readconfig.go).
      env {
        # Must end with "/": the gateway appends paths to it as a string.
        functions_provider_url = "http://127.0.0.1:8081/"
        direct_functions       = "false"

        # upstream_timeout (gateway -> provider) is above the provider's
        # write_timeout (60s), so the provider answers first (504 from its
        # proxy) when a function is too slow; the gateway's own read and write
        # timeouts are above upstream_timeout.
        upstream_timeout = "65s"
        read_timeout     = "70s"
        write_timeout    = "70s"

        basic_auth        = "true"
        secret_mount_path = "/secrets/"
        scale_from_zero   = "true"

        # Optional: invocation counts in GET /system/functions come from
        # Prometheus (default host "prometheus", port 9090); without it the list
        # is passed through and the gateway logs the failed query.
        # faas_prometheus_host = "prometheus.service.consul"
        # faas_prometheus_port = "9090"

        # Optional: asynchronous invocations (/async-function/*) need NATS
        # Streaming and a queue-worker, which this job does not run. The
        # gateway enables async only when both are set.
        # faas_nats_address = "nats.service.consul"
        # faas_nats_port    = "4222"
      }

      resources {
        cpu    = 200
        memory = 128
      }
    }

    task "faas-nomad" {
      driver = "docker"

      # Time to finish in-flight requests after SIGTERM before SIGKILL.
      kill_timeout = "15s"

      config {
        image           = var.faas_nomad_image
        args            = ["start"]
        readonly_rootfs = true

        mount {
          type     = "tmpfs"
          target   = "/tmp"
          readonly = false
          tmpfs_options {
            size = 67108864 # 64 MiB
          }
        }
      }

      # The task's workload identity as NOMAD_TOKEN: the provider's Nomad ACL
      # token. Its permissions are the ACL policy bound to this task with
      #   nomad acl policy apply -namespace default -job openfaas -group openfaas -task faas-nomad \
      #     faas-nomad deploy/faas-nomad-acl.policy.hcl
      # Nomad allows no TTL on the default identity; change_mode = "restart"
      # (as in the identity block docs) restarts the task should the token
      # change, since the provider reads NOMAD_TOKEN once at start.
      identity {
        env         = true
        change_mode = "restart"
      }

      # A Vault token (VAULT_TOKEN) from the JWT role var.vault_role, used by
      # the provider for function secrets (secrets_backend=vault) and by the
      # templates below. Nomad renews it; if it has to fetch a new one it
      # restarts the task, which then reads the new VAULT_TOKEN. Remove this
      # block when Vault is not used at all.
      vault {
        role        = var.vault_role
        change_mode = "restart"
      }

      # If the Nomad servers have no vault.default_identity, the task needs a
      # Vault identity of its own (the same goes for the gateway task):
      # identity {
      #   name = "vault_default"
      #   aud  = ["vault.io"]
      #   ttl  = "1h"
      # }

      template {
        data        = "{{ with secret \"secret/data/openfaas/basic-auth\" }}{{ .Data.data.user }}{{ end }}"
        destination = "secrets/basic-auth-user"
        perms       = "0444"
        change_mode = "restart"
      }

      template {
        data        = "{{ with secret \"secret/data/openfaas/basic-auth\" }}{{ .Data.data.password }}{{ end }}"
        destination = "secrets/basic-auth-password"
        perms       = "0444"
        change_mode = "restart"
      }

      # Nomad Variables alternative: the same two nomadVar templates as in the
      # gateway task.

      # faas-nomad's settings, by their exact names (src/config/settings.ts;
      # `faas-nomad --help` lists them all with their defaults).
      env {
        port          = "8081"
        bind_address  = "0.0.0.0"
        read_timeout  = "60s"
        write_timeout = "60s"

        # The gateway sends the credentials it read from the same secret.
        basic_auth        = "true"
        secret_mount_path = "/secrets/"

        # Nomad's HTTP API on this node (agents bind 0.0.0.0 by default). Use
        # https:// and NOMAD_CACERT when the agents serve TLS. NOMAD_TOKEN
        # comes from the identity block; NOMAD_REGION from Nomad's runtime
        # environment.
        NOMAD_ADDR = "http://${attr.unique.network.ip-address}:4646"
        # Set here, this overrides the NOMAD_NAMESPACE Nomad puts in every
        # task's environment (this job's own namespace).
        NOMAD_NAMESPACE = var.functions_namespace

        # How function jobs are built.
        job_prefix        = "OpenFaaS-"
        job_datacenters   = var.functions_datacenters
        network_mode      = "host"
        service_discovery = var.service_provider
        scale_from_zero   = "true"

        # Consul agent on this node. Consul's HTTP API listens on loopback
        # unless client_addr says otherwise, and loopback inside this bridge
        # namespace is not the host's: the agent must listen on the node's
        # address, or put another reachable address here.
        CONSUL_HTTP_ADDR = "http://${attr.unique.network.ip-address}:8500"
        # With Consul ACLs and a task identity for Consul (a `consul_default`
        # identity block or consul.task_identity on the servers), Nomad writes
        # the task's Consul token to secrets/consul_token:
        # CONSUL_HTTP_TOKEN_FILE = "/secrets/consul_token"

        # Function secrets.
        secrets_backend     = var.secrets_backend
        VAULT_ADDR          = var.vault_addr
        vault_kv_mount      = "secret"
        vault_secret_prefix = "openfaas"
        vault_role          = var.functions_vault_role
        nomad_secret_prefix = "openfaas-secrets"

        log_level  = "info"
        log_format = "json"

        # Optional telemetry.
        # statsd_addr                 = "statsd.service.consul:9125"
        # OTEL_EXPORTER_OTLP_ENDPOINT = "http://otel-collector.service.consul:4318"
        # OTEL_SERVICE_NAME           = "faas-nomad"
      }

      # Nomad's docker driver makes `memory` the container's hard limit. The
      # provider idles near 105 MB resident, reaches 220 to 270 MB under a
      # load of 50 connections, and 290 MB with 1,000 functions each invoked
      # once (`npm run bench -- proxy` and `-- scale`): 256 MB would be
      # OOM-killed under load.
      resources {
        cpu    = 300
        memory = 512
      }
    }
  }
}
