{{- define "multisaude.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "multisaude.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "multisaude.labels" -}}
{{ include "multisaude.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "multisaude.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}

{{- define "multisaude.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{ .Values.serviceAccount.name | default (include "multisaude.fullname" .) }}
{{- else -}}
{{ .Values.serviceAccount.name | default "default" }}
{{- end -}}
{{- end -}}

{{- define "multisaude.secretName" -}}
{{ .Values.existingSecret | default (include "multisaude.fullname" .) }}
{{- end -}}

{{/* The plain settings: the ConfigMap's data. Each key is a wire.Config variable. */}}
{{- define "multisaude.config" -}}
MULTISAUDE_PROFILE: onprem
MULTISAUDE_HTTP_ADDR: ":8080"
MULTISAUDE_METRICS_ADDR: {{ printf ":%v" .Values.metrics.port | quote }}
MULTISAUDE_PUBLIC_URL: {{ required "publicURL is required (the platform's external address, https://...)" .Values.publicURL | quote }}
MULTISAUDE_LOG_LEVEL: {{ .Values.logLevel | quote }}
MULTISAUDE_DB_MAX_CONNS: {{ .Values.postgresql.maxConns | quote }}
MULTISAUDE_AUTO_MIGRATE: "false"
MULTISAUDE_BLOB: minio
MULTISAUDE_MINIO_ENDPOINT: {{ required "minio.endpoint is required (http://minio:9000)" .Values.minio.endpoint | quote }}
MULTISAUDE_MINIO_BUCKET: {{ required "minio.bucket is required" .Values.minio.bucket | quote }}
MULTISAUDE_MINIO_REGION: {{ .Values.minio.region | quote }}
MULTISAUDE_MINIO_CREATE_BUCKET: {{ .Values.minio.createBucket | quote }}
MULTISAUDE_QUEUE: rabbitmq
MULTISAUDE_AMQP_EXCHANGE: {{ .Values.rabbitmq.exchange | quote }}
MULTISAUDE_SCHEDULER: sql
MULTISAUDE_IDENTITY: keycloak
MULTISAUDE_KEYCLOAK_URL: {{ required "keycloak.url is required (https://sso.hospital.local)" .Values.keycloak.url | quote }}
MULTISAUDE_KEYCLOAK_REALM: {{ .Values.keycloak.realm | quote }}
MULTISAUDE_KEYCLOAK_CLIENT_ID: {{ required "keycloak.clientId is required" .Values.keycloak.clientId | quote }}
MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_ID: {{ .Values.keycloak.adminClientId | quote }}
MULTISAUDE_KEYCLOAK_ACCOUNT_ID_CLAIM: {{ .Values.keycloak.accountIdClaim | quote }}
MULTISAUDE_KEYCLOAK_COMPANY_ID_CLAIM: {{ .Values.keycloak.companyIdClaim | quote }}
MULTISAUDE_KEYS: local
MULTISAUDE_NOTIFIER: smtp
MULTISAUDE_SMTP_HOST: {{ required "smtp.host is required" .Values.smtp.host | quote }}
MULTISAUDE_SMTP_PORT: {{ .Values.smtp.port | quote }}
MULTISAUDE_SMTP_TLS: {{ .Values.smtp.tls | quote }}
MULTISAUDE_SMTP_FROM: {{ required "smtp.from is required" .Values.smtp.from | quote }}
MULTISAUDE_VIDEO: jitsi
MULTISAUDE_JITSI_URL: {{ required "jitsi.url is required (https://meet.hospital.local)" .Values.jitsi.url | quote }}
MULTISAUDE_JITSI_APP_ID: {{ required "jitsi.appId is required" .Values.jitsi.appId | quote }}
MULTISAUDE_PAYMENTS: {{ .Values.payments.provider | quote }}
{{- range $k, $v := .Values.extraConfig }}
{{- if not (hasPrefix "MULTISAUDE_" $k) }}{{ fail (printf "extraConfig: %s is not a MULTISAUDE_* variable" $k) }}{{ end }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/* The credentials: the Secret's stringData (only when existingSecret is empty). */}}
{{- define "multisaude.secrets" -}}
MULTISAUDE_DATABASE_URL: {{ required "postgresql.url is required (postgres://user:pass@host:5432/db), or set existingSecret" .Values.postgresql.url | quote }}
MULTISAUDE_AMQP_URL: {{ required "rabbitmq.url is required (amqp://user:pass@host:5672/), or set existingSecret" .Values.rabbitmq.url | quote }}
MULTISAUDE_MINIO_ACCESS_KEY: {{ required "minio.accessKey is required, or set existingSecret" .Values.minio.accessKey | quote }}
MULTISAUDE_MINIO_SECRET_KEY: {{ required "minio.secretKey is required, or set existingSecret" .Values.minio.secretKey | quote }}
MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET: {{ required "keycloak.adminClientSecret is required (users are created through Keycloak's admin API), or set existingSecret" .Values.keycloak.adminClientSecret | quote }}
MULTISAUDE_JITSI_SECRET: {{ required "jitsi.secret is required (at least 32 bytes), or set existingSecret" .Values.jitsi.secret | quote }}
MULTISAUDE_LOCALKEYS_MASTER_KEYS: {{ required "keys.masterKeys is required (k1=BASE64 of 32 bytes), or set existingSecret" .Values.keys.masterKeys | quote }}
MULTISAUDE_SIGNER_SEED: {{ required "keys.signerSeed is required (openssl rand -base64 32), or set existingSecret" .Values.keys.signerSeed | quote }}
{{- with .Values.smtp.username }}
MULTISAUDE_SMTP_USERNAME: {{ . | quote }}
MULTISAUDE_SMTP_PASSWORD: {{ required "smtp.password is required with smtp.username" $.Values.smtp.password | quote }}
{{- end }}
{{- if eq .Values.payments.provider "stripe" }}
MULTISAUDE_STRIPE_SECRET_KEY: {{ required "payments.stripeSecretKey is required with payments.provider=stripe, or set existingSecret" .Values.payments.stripeSecretKey | quote }}
MULTISAUDE_STRIPE_WEBHOOK_SECRET: {{ required "payments.stripeWebhookSecret is required with payments.provider=stripe, or set existingSecret" .Values.payments.stripeWebhookSecret | quote }}
{{- end }}
{{- end -}}

{{/* Pod-level security: distroless nonroot (uid 65532). */}}
{{- define "multisaude.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "multisaude.securityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* Restarts the pods when the settings or the credentials change. */}}
{{- define "multisaude.checksums" -}}
checksum/config: {{ include "multisaude.config" . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include "multisaude.secrets" . | sha256sum }}
{{- end }}
{{- end -}}

{{- define "multisaude.envFrom" -}}
- configMapRef:
    name: {{ include "multisaude.fullname" . }}
- secretRef:
    name: {{ include "multisaude.secretName" . }}
{{- end -}}

{{/* Egress of every pod: DNS, and the external services' ports. */}}
{{- define "multisaude.egress" -}}
- ports: # DNS
    - {port: 53, protocol: UDP}
    - {port: 53, protocol: TCP}
- ports:
    {{- range .Values.networkPolicy.egressPorts }}
    - {port: {{ . }}, protocol: TCP}
    {{- end }}
  {{- with .Values.networkPolicy.egressCIDRs }}
  to:
    {{- range . }}
    - ipBlock: {cidr: {{ . | quote }}}
    {{- end }}
  {{- end }}
{{- end -}}
