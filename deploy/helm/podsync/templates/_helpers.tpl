{{/*
The chart name, or nameOverride.
*/}}
{{- define "podsync.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The base of every resource name: <release>-<chart>, or the release name alone when it
already contains the chart name, or fullnameOverride. Cut to 63 characters, the longest
name some Kubernetes fields accept.
*/}}
{{- define "podsync.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "podsync.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource. Each workload adds app.kubernetes.io/component.
*/}}
{{- define "podsync.labels" -}}
helm.sh/chart: {{ include "podsync.chart" . }}
{{ include "podsync.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select this release's pods; workloads add app.kubernetes.io/component.
*/}}
{{- define "podsync.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podsync.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The one image every podsync process runs.
*/}}
{{- define "podsync.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}

{{/*
Where the reconcilers manage the algorithm pods.
*/}}
{{- define "podsync.targetNamespace" -}}
{{- .Values.targetNamespace | default .Release.Namespace }}
{{- end }}

{{/*
The reconcilers' service account.
*/}}
{{- define "podsync.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- .Values.serviceAccount.name | default (printf "%s-reconciler" (include "podsync.fullname" .)) }}
{{- else }}
{{- required "serviceAccount.name must name an existing account when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
The Secret the pods read their connection settings from: existingSecret, or the chart's own.
*/}}
{{- define "podsync.secretName" -}}
{{- .Values.existingSecret | default (include "podsync.fullname" .) }}
{{- end }}

{{/*
One environment variable read from the connection Secret. Call with
(dict "root" $ "name" "DATABASE_URL") and add "optional" true for a key the Secret may lack.
*/}}
{{- define "podsync.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ include "podsync.secretName" .root }}
      key: {{ .name }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/*
Annotations that roll the pods when the settings they read change. A Secret managed outside
the chart is not seen here: restart the deployments after changing it.
*/}}
{{- define "podsync.checksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
{{- if not .Values.existingSecret }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}
