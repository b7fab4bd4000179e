{{/* Names and labels. */}}
{{- define "gha.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "gha.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gha.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "gha.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "gha.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gha.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of one component (api, worker, setup); call with (dict "root" $ "component" "api"). */}}
{{- define "gha.componentLabels" -}}
{{ include "gha.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "gha.componentSelectorLabels" -}}
{{ include "gha.selectorLabels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{- define "gha.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gha.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gha.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "gha.secretName" -}}
{{- include "gha.fullname" . }}
{{- end }}

{{- define "gha.configMapName" -}}
{{- if .Values.config.existingConfigMap }}
{{- .Values.config.existingConfigMap }}
{{- else }}
{{- printf "%s-config" (include "gha.fullname" .) }}
{{- end }}
{{- end }}

{{/*
A value given either inline (string or number) or as {valueFrom: ...}. Numbers print without exponent: YAML
integers reach templates as float64, and an App ID of 1234567 must not become "1.234567e+06".
*/}}
{{- define "gha.isValueFrom" -}}
{{- if and (kindIs "map" .) (hasKey . "valueFrom") }}true{{ end }}
{{- end }}

{{- define "gha.inlineString" -}}
{{- if kindIs "float64" . }}{{ . | int64 }}{{ else if not (kindIs "invalid" .) }}{{ . }}{{ end }}
{{- end }}

{{/*
Every secret-like setting: env var name → value. Inline ones go into the chart's Secret; valueFrom ones become
references. `api` and `worker` say which Deployment gets the variable (the setup Job gets the Temporal ones). The
GitHub App's credentials go to the worker only: the API never calls GitHub (it verifies webhooks with their secret).
*/}}
{{- define "gha.secretSettings" -}}
{{- $bot := .Values.global.integrations.github.bot | default dict -}}
{{- $list := list
  (dict "env" "GITHUB_BOT_NAME" "value" $bot.name "api" false "worker" true)
  (dict "env" "GITHUB_BOT_APP_ID" "value" $bot.appId "api" false "worker" true)
  (dict "env" "GITHUB_BOT_CLIENT_ID" "value" $bot.clientId "api" false "worker" true)
  (dict "env" "GITHUB_BOT_CLIENT_SECRET" "value" $bot.clientSecret "api" false "worker" true)
  (dict "env" "GITHUB_BOT_PRIVATE_KEY" "value" $bot.privateKey "api" false "worker" true)
  (dict "env" "GITHUB_WEBHOOK_SECRET" "value" $bot.webhookSecret "api" true "worker" false)
  (dict "env" "API_KEYS" "value" .Values.apiKeys "api" true "worker" false)
  (dict "env" "JOB_TOKEN_SECRET" "value" (.Values.jobTokens | default dict).secret "api" true "worker" true)
  (dict "env" "TEMPORAL_API_KEY" "value" .Values.temporal.apiKey "api" true "worker" true "setup" true)
  (dict "env" "PAYLOAD_ENCRYPTION_KEYS" "value" .Values.encryption.keys "api" true "worker" true)
  (dict "env" "CTRLPLANE_API_KEY" "value" .Values.ctrlplane.apiKey "api" false "worker" true)
-}}
{{- toJson $list }}
{{- end }}

{{/*
api.metricsPort as a port number ("" when /metrics stays on the API port or is off). From a values file a number
is a float64, from --set an int64.
*/}}
{{- define "gha.apiMetricsPort" -}}
{{- $port := .Values.api.metricsPort -}}
{{- if and (not (kindIs "invalid" $port)) (not (kindIs "string" $port)) }}{{ $port | int }}{{ end }}
{{- end }}

{{/* Inline settings as Secret data. */}}
{{- define "gha.secretData" -}}
{{- range (include "gha.secretSettings" . | fromJsonArray) }}
{{- if and (not (include "gha.isValueFrom" .value)) (ne (include "gha.inlineString" .value) "") }}
{{ .env }}: {{ include "gha.inlineString" .value | b64enc | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Env entries of one component for the secret-like settings; call with (dict "root" $ "component" "api"). */}}
{{- define "gha.secretEnv" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- range (include "gha.secretSettings" $root | fromJsonArray) }}
{{- if get . $component }}
{{- if include "gha.isValueFrom" .value }}
- name: {{ .env }}
  valueFrom:
    {{- toYaml .value.valueFrom | nindent 4 }}
{{- else if ne (include "gha.inlineString" .value) "" }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ include "gha.secretName" $root }}
      key: {{ .env }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* Temporal connection env, read by every component (the setup Job reads nothing else). */}}
{{- define "gha.temporalConnectionEnv" -}}
- name: TEMPORAL_ADDRESS
  value: {{ .Values.temporal.address | quote }}
- name: TEMPORAL_NAMESPACE
  value: {{ .Values.temporal.namespace | quote }}
{{- with .Values.temporal.tls }}
{{- if .enabled }}
- name: TEMPORAL_TLS
  value: "true"
{{- end }}
{{- if .serverName }}
- name: TEMPORAL_TLS_SERVER_NAME
  value: {{ .serverName | quote }}
{{- end }}
{{- if .existingSecret }}
{{- if and .certKey .keyKey }}
- name: TEMPORAL_TLS_CLIENT_CERT_PATH
  value: {{ printf "/etc/temporal-tls/%s" .certKey | quote }}
- name: TEMPORAL_TLS_CLIENT_KEY_PATH
  value: {{ printf "/etc/temporal-tls/%s" .keyKey | quote }}
{{- end }}
{{- if .caKey }}
- name: TEMPORAL_TLS_SERVER_CA_CERT_PATH
  value: {{ printf "/etc/temporal-tls/%s" .caKey | quote }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}

{{/* The Temporal env of the api and the worker: the connection, the task queue, and the log level. */}}
{{- define "gha.temporalEnv" -}}
{{- include "gha.temporalConnectionEnv" . }}
- name: TEMPORAL_TASK_QUEUE
  value: {{ .Values.temporal.taskQueue | quote }}
- name: LOG_LEVEL
  value: {{ .Values.logLevel | quote }}
{{- end }}

{{/*
Job deadlines (jobs.*), only the ones set. Both the api and the worker start job workflows and read them: the API
for jobs created through it, the worker's Ctrlplane poller for the jobs it pulls.
*/}}
{{- define "gha.jobDeadlineEnv" -}}
{{- $jobs := .Values.jobs | default dict -}}
{{- range $name, $value := dict "JOB_WEBHOOK_QUIET_PERIOD" $jobs.webhookQuietPeriod "JOB_POLL_INTERVAL" $jobs.pollInterval "JOB_RUN_DISCOVERY_TIMEOUT" $jobs.runDiscoveryTimeout "JOB_TIMEOUT" $jobs.timeout }}
{{- if $value }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
{{- end }}
{{- end }}

{{/* Env of the api and worker Deployments (GitHub, job deadlines, config file, secrets); call with (dict "root" $ "component" "api"). */}}
{{- define "gha.appEnv" -}}
{{- $root := .root -}}
{{- include "gha.temporalEnv" $root }}
{{- include "gha.jobDeadlineEnv" $root }}
{{- with $root.Values.global.integrations.github.url }}
{{- if include "gha.isValueFrom" . }}
- name: GITHUB_URL
  valueFrom:
    {{- toYaml .valueFrom | nindent 4 }}
{{- else }}
- name: GITHUB_URL
  value: {{ . | quote }}
{{- end }}
{{- end }}
{{- with $root.Values.githubApiUrl }}
- name: GITHUB_API_URL
  value: {{ . | quote }}
{{- end }}
{{- with $root.Values.dispatchAllowlist }}
- name: DISPATCH_ALLOWLIST
  value: {{ . | quote }}
{{- end }}
{{- if or $root.Values.config.inline $root.Values.config.existingConfigMap }}
- name: CONFIG_FILE
  value: /etc/github-actions-agent/config.yaml
{{- end }}
{{- include "gha.secretEnv" . }}
{{- with $root.Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes shared by every pod: a writable /tmp (the root filesystem is read-only), Temporal TLS, config file. */}}
{{- define "gha.volumes" -}}
- name: tmp
  emptyDir: {}
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  secret:
    secretName: {{ .Values.temporal.tls.existingSecret }}
{{- end }}
{{- if or .Values.config.inline .Values.config.existingConfigMap }}
- name: config
  configMap:
    name: {{ include "gha.configMapName" . }}
    items:
      - key: {{ .Values.config.key }}
        path: config.yaml
{{- end }}
{{- end }}

{{- define "gha.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if .Values.temporal.tls.existingSecret }}
- name: temporal-tls
  mountPath: /etc/temporal-tls
  readOnly: true
{{- end }}
{{- if or .Values.config.inline .Values.config.existingConfigMap }}
- name: config
  mountPath: /etc/github-actions-agent
  readOnly: true
{{- end }}
{{- end }}

{{/* Pod annotations that roll the pods when the chart's Secret or ConfigMap changes. */}}
{{- define "gha.checksumAnnotations" -}}
checksum/secret: {{ include "gha.secretData" . | sha256sum }}
checksum/config: {{ .Values.config.inline | sha256sum }}
{{- end }}
