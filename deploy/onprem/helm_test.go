package onprem_test

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"

	appwire "github.com/multisaude/multisaude/wire"
)

const chartDir = "helm/multisaude"

// serviceMonitor is the part of the Prometheus Operator's CRD the chart uses;
// decoding is strict, so a field outside it fails.
type serviceMonitor struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata"`
	Spec              struct {
		Selector          metav1.LabelSelector `json:"selector"`
		NamespaceSelector struct {
			MatchNames []string `json:"matchNames,omitempty"`
			Any        bool     `json:"any,omitempty"`
		} `json:"namespaceSelector"`
		Endpoints []struct {
			Port     string `json:"port"`
			Path     string `json:"path"`
			Interval string `json:"interval,omitempty"`
		} `json:"endpoints"`
	} `json:"spec"`
}

// rendered is one render of the chart, every manifest decoded.
type rendered struct {
	docs          []string // the YAML documents, in order
	configMaps    []*corev1.ConfigMap
	secrets       []*corev1.Secret
	serviceAccts  []*corev1.ServiceAccount
	services      []*corev1.Service
	deployments   []*appsv1.Deployment
	jobs          []*batchv1.Job
	hpas          []*autoscalingv2.HorizontalPodAutoscaler
	pdbs          []*policyv1.PodDisruptionBudget
	ingresses     []*networkingv1.Ingress
	netpols       []*networkingv1.NetworkPolicy
	monitors      []*serviceMonitor
	kinds         []string
	hookedSecrets map[string]bool
}

// minimalValues is what a hospital must give: addresses and credentials.
func minimalValues() map[string]any {
	return map[string]any{
		"publicURL":  "https://saude.hospital.example",
		"postgresql": map[string]any{"url": "postgres://multisaude:pw@postgres.db.svc:5432/multisaude?sslmode=require"},
		"minio":      map[string]any{"endpoint": "http://minio.storage.svc:9000", "accessKey": "multisaude", "secretKey": "minio-secret-0123456789"},
		"rabbitmq":   map[string]any{"url": "amqp://multisaude:pw@rabbitmq.mq.svc:5672/"},
		"keycloak":   map[string]any{"url": "https://sso.hospital.example", "adminClientSecret": "kc-admin-secret"},
		"jitsi":      map[string]any{"url": "https://meet.hospital.example", "secret": strings.Repeat("j", 40)},
		"smtp":       map[string]any{"host": "smtp.hospital.example", "from": "MultiSaúde <nao-responda@hospital.example>"},
		"keys":       map[string]any{"masterKeys": "k1=" + strings.Repeat("A", 43) + "=", "signerSeed": "c2VlZC1zZWVkLXNlZWQtc2VlZC1zZWVkLXNlZWQtMTI="},
		"payments":   map[string]any{"stripeSecretKey": "sk_test_123", "stripeWebhookSecret": "whsec_123"},
	}
}

func fullValues() map[string]any {
	v := minimalValues()
	v["ingress"] = map[string]any{"enabled": true, "className": "nginx", "host": "saude.hospital.example",
		"tls": []any{map[string]any{"secretName": "multisaude-tls", "hosts": []any{"saude.hospital.example"}}}}
	v["autoscaling"] = map[string]any{"enabled": true, "minReplicas": 3, "maxReplicas": 8}
	v["serviceMonitor"] = map[string]any{"enabled": true, "labels": map[string]any{"release": "prometheus"}}
	v["networkPolicy"] = map[string]any{"egressCIDRs": []any{"10.20.0.0/16"}}
	v["smtp"].(map[string]any)["username"] = "relay-user"
	v["smtp"].(map[string]any)["password"] = "relay-pass"
	v["extraConfig"] = map[string]any{"MULTISAUDE_NOMINATIM_URL": "http://nominatim.geo.svc:8080", "MULTISAUDE_NOMINATIM_FALLBACK_OFFLINE": true}
	return v
}

func existingSecretValues() map[string]any {
	v := minimalValues()
	v["postgresql"] = map[string]any{}
	v["rabbitmq"] = map[string]any{}
	v["minio"] = map[string]any{"endpoint": "http://minio.storage.svc:9000"}
	v["keycloak"] = map[string]any{"url": "https://sso.hospital.example"}
	v["jitsi"] = map[string]any{"url": "https://meet.hospital.example"}
	v["keys"] = map[string]any{}
	v["payments"] = map[string]any{}
	v["existingSecret"] = "multisaude-credentials"
	return v
}

// existingSecretData is what the hospital puts in its own Secret, named as values.yaml says.
var existingSecretData = map[string]string{
	"MULTISAUDE_DATABASE_URL":                 "postgres://multisaude:pw@postgres.db.svc:5432/multisaude",
	"MULTISAUDE_AMQP_URL":                     "amqp://multisaude:pw@rabbitmq.mq.svc:5672/",
	"MULTISAUDE_MINIO_ACCESS_KEY":             "multisaude",
	"MULTISAUDE_MINIO_SECRET_KEY":             "minio-secret",
	"MULTISAUDE_KEYCLOAK_ADMIN_CLIENT_SECRET": "kc",
	"MULTISAUDE_JITSI_SECRET":                 strings.Repeat("j", 40),
	"MULTISAUDE_LOCALKEYS_MASTER_KEYS":        "k1=" + strings.Repeat("A", 43) + "=",
	"MULTISAUDE_SIGNER_SEED":                  "c2VlZA==",
	"MULTISAUDE_STRIPE_SECRET_KEY":            "sk_test_1",
	"MULTISAUDE_STRIPE_WEBHOOK_SECRET":        "whsec_1",
}

// renderChart renders the chart as `helm install --dry-run` would (Helm's
// loader and engine, install options, default capabilities).
func renderChart(t *testing.T, vals map[string]any) (map[string]string, error) {
	t.Helper()
	chrt, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("load the chart: %v", err)
	}
	opts := chartutil.ReleaseOptions{Name: "multisaude", Namespace: "saude", IsInstall: true, Revision: 1}
	rv, err := chartutil.ToRenderValues(chrt, vals, opts, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatalf("render values: %v", err)
	}
	return engine.Render(chrt, rv)
}

// decodeStrict decodes one manifest into its Kubernetes type; an unknown or
// misspelt field, or a kind the chart should not make, is an error.
func decodeStrict(doc string) (any, string, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
		return nil, "", err
	}
	var obj any
	switch tm.APIVersion + "/" + tm.Kind {
	case "v1/ConfigMap":
		obj = &corev1.ConfigMap{}
	case "v1/Secret":
		obj = &corev1.Secret{}
	case "v1/ServiceAccount":
		obj = &corev1.ServiceAccount{}
	case "v1/Service":
		obj = &corev1.Service{}
	case "apps/v1/Deployment":
		obj = &appsv1.Deployment{}
	case "batch/v1/Job":
		obj = &batchv1.Job{}
	case "autoscaling/v2/HorizontalPodAutoscaler":
		obj = &autoscalingv2.HorizontalPodAutoscaler{}
	case "policy/v1/PodDisruptionBudget":
		obj = &policyv1.PodDisruptionBudget{}
	case "networking.k8s.io/v1/Ingress":
		obj = &networkingv1.Ingress{}
	case "networking.k8s.io/v1/NetworkPolicy":
		obj = &networkingv1.NetworkPolicy{}
	case "monitoring.coreos.com/v1/ServiceMonitor":
		obj = &serviceMonitor{}
	default:
		return nil, tm.Kind, fmt.Errorf("unexpected kind %s %s", tm.APIVersion, tm.Kind)
	}
	// The way the API server decodes: JSON keys match field tags case-sensitively,
	// and unknown or duplicate fields are errors (encoding/json, under
	// sigs.k8s.io/yaml's UnmarshalStrict, would take "readOnlyRootFileSystem").
	js, err := yaml.YAMLToJSONStrict([]byte(doc))
	if err != nil {
		return nil, tm.Kind, err
	}
	strict, err := kjson.UnmarshalStrict(js, obj, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return nil, tm.Kind, err
	}
	if len(strict) > 0 {
		return nil, tm.Kind, errors.Join(strict...)
	}
	return obj, tm.Kind, nil
}

func render(t *testing.T, vals map[string]any) *rendered {
	t.Helper()
	files, err := renderChart(t, vals)
	if err != nil {
		t.Fatalf("render: %v", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	r := &rendered{hookedSecrets: map[string]bool{}}
	for _, name := range names {
		if !strings.HasSuffix(name, ".yaml") {
			continue // NOTES.txt, _helpers.tpl
		}
		for _, doc := range releaseutil.SplitManifests(files[name]) {
			if strings.TrimSpace(strings.ReplaceAll(doc, "---", "")) == "" {
				continue
			}
			r.docs = append(r.docs, doc)
			obj, kind, err := decodeStrict(doc)
			if err != nil {
				t.Fatalf("%s: %s does not decode strictly: %v\n%s", name, kind, err, doc)
			}
			r.kinds = append(r.kinds, kind)
			switch o := obj.(type) {
			case *corev1.ConfigMap:
				r.configMaps = append(r.configMaps, o)
			case *corev1.Secret:
				if o.Annotations["helm.sh/hook"] != "" {
					r.hookedSecrets[o.Name] = true
				}
				r.secrets = append(r.secrets, o)
			case *corev1.ServiceAccount:
				r.serviceAccts = append(r.serviceAccts, o)
			case *corev1.Service:
				r.services = append(r.services, o)
			case *appsv1.Deployment:
				r.deployments = append(r.deployments, o)
			case *batchv1.Job:
				r.jobs = append(r.jobs, o)
			case *autoscalingv2.HorizontalPodAutoscaler:
				r.hpas = append(r.hpas, o)
			case *policyv1.PodDisruptionBudget:
				r.pdbs = append(r.pdbs, o)
			case *networkingv1.Ingress:
				r.ingresses = append(r.ingresses, o)
			case *networkingv1.NetworkPolicy:
				r.netpols = append(r.netpols, o)
			case *serviceMonitor:
				r.monitors = append(r.monitors, o)
			}
		}
	}
	return r
}

func (r *rendered) deployment(t *testing.T, component string) *appsv1.Deployment {
	t.Helper()
	for _, d := range r.deployments {
		if d.Spec.Template.Labels["app.kubernetes.io/component"] == component {
			return d
		}
	}
	t.Fatalf("no Deployment for %s", component)
	return nil
}

func (r *rendered) configMap(t *testing.T, name string) map[string]string {
	t.Helper()
	for _, c := range r.configMaps {
		if c.Name == name {
			return c.Data
		}
	}
	t.Fatalf("no ConfigMap %s", name)
	return nil
}

func (r *rendered) secret(name string) (map[string]string, bool) {
	for _, s := range r.secrets {
		if s.Name == name && !r.hookedSecrets[name] {
			out := map[string]string{}
			for k, v := range s.StringData {
				out[k] = v
			}
			for k, v := range s.Data {
				out[k] = string(v)
			}
			return out, true
		}
	}
	return nil, false
}

// containerEnv is what the container starts with: its envFrom (ConfigMap and
// Secret, taken from the render or, for existingSecret, from external) and env.
func (r *rendered) containerEnv(t *testing.T, c corev1.Container, external map[string]string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			for k, v := range r.configMap(t, from.ConfigMapRef.Name) {
				env[k] = v
			}
		case from.SecretRef != nil:
			data, ok := r.secret(from.SecretRef.Name)
			if !ok {
				if external == nil {
					t.Fatalf("%s reads Secret %s, which the chart does not render", c.Name, from.SecretRef.Name)
				}
				data = external
			}
			for k, v := range data {
				env[k] = v
			}
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			env[e.Name] = e.Value
			continue
		}
		ref := e.ValueFrom.SecretKeyRef
		if ref == nil {
			t.Fatalf("%s: env %s is neither a value nor a secret key", c.Name, e.Name)
		}
		var data map[string]string
		for _, s := range r.secrets {
			if s.Name == ref.Name {
				data = s.StringData
			}
		}
		if data == nil {
			data = external
		}
		v, ok := data[ref.Key]
		if !ok {
			t.Fatalf("%s: env %s names key %s of Secret %s, which holds no such key", c.Name, e.Name, ref.Key, ref.Name)
		}
		env[e.Name] = v
	}
	return env
}

func checkSecurity(t *testing.T, what string, pod corev1.PodSpec) {
	t.Helper()
	ps := pod.SecurityContext
	if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.RunAsUser == nil || *ps.RunAsUser == 0 {
		t.Errorf("%s: the pod may run as root: %+v", what, ps)
	}
	if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
		t.Errorf("%s: mounts a service-account token it never uses", what)
	}
	for _, c := range pod.Containers {
		sc := c.SecurityContext
		switch {
		case sc == nil:
			t.Errorf("%s/%s: no securityContext", what, c.Name)
		case sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem:
			t.Errorf("%s/%s: root filesystem is writable", what, c.Name)
		case sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation:
			t.Errorf("%s/%s: privilege escalation allowed", what, c.Name)
		case sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0:
			t.Errorf("%s/%s: capabilities not dropped: %+v", what, c.Name, sc.Capabilities)
		}
	}
}

func portNumber(c corev1.Container, name string) int32 {
	for _, p := range c.Ports {
		if p.Name == name {
			return p.ContainerPort
		}
	}
	return 0
}

func selects(t *testing.T, sel *metav1.LabelSelector, podLabels map[string]string) bool {
	t.Helper()
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		t.Fatalf("selector %+v: %v", sel, err)
	}
	return !s.Empty() && s.Matches(labels.Set(podLabels))
}

// checkChart holds one render to what the binary and the cluster expect.
func checkChart(t *testing.T, r *rendered, external map[string]string) {
	known := knownVars()
	api := r.deployment(t, "api")
	worker := r.deployment(t, "worker")
	apiC, workerC := api.Spec.Template.Spec.Containers[0], worker.Spec.Template.Spec.Containers[0]

	// Every variable the chart sets is one the binary reads.
	for _, c := range r.configMaps {
		for k := range c.Data {
			if _, ok := known[k]; !ok {
				t.Errorf("ConfigMap %s sets %s, which is not a configuration variable", c.Name, k)
			}
		}
	}
	for _, s := range r.secrets {
		for k := range s.StringData {
			if _, ok := known[k]; !ok {
				t.Errorf("Secret %s holds %s, which is not a configuration variable", s.Name, k)
			}
		}
	}

	// The API and the worker start: the binary's loader accepts their environment.
	for _, c := range []corev1.Container{apiC, workerC} {
		env := r.containerEnv(t, c, external)
		cfg, err := loadConfig(env)
		if err != nil {
			t.Fatalf("%s would not start: %v", c.Name, err)
		}
		if cfg.Profile != appwire.ProfileOnprem || cfg.Blob != appwire.BlobMinio || cfg.Queue != appwire.QueueRabbitMQ ||
			cfg.Identity != appwire.IdentityKeycloak || cfg.Keys != appwire.KeysLocal || cfg.Notifier != appwire.NotifierSMTP ||
			cfg.Scheduler != appwire.SchedulerSQL || cfg.Video != appwire.VideoJitsi || cfg.Migrate() {
			t.Errorf("%s: not the onprem adapters, or migrating at start: %+v", c.Name, cfg)
		}
		if cfg.KeycloakAdminClientID == "" || cfg.KeycloakAdminClientSecret == "" {
			t.Errorf("%s: no Keycloak admin client: users could not be created", c.Name)
		}
		// Without the credentials it would refuse to start (they are really needed).
		for k := range env {
			if strings.Contains(k, "DATABASE_URL") || strings.Contains(k, "MASTER_KEYS") {
				delete(env, k)
			}
		}
		if _, err := loadConfig(env); err == nil {
			t.Errorf("%s: starts without its database URL and master keys", c.Name)
		}
	}
	if !slices.Equal(apiC.Args, []string{"serve", "--no-worker"}) || !slices.Equal(workerC.Args, []string{"worker"}) {
		t.Errorf("args: api %q, worker %q", apiC.Args, workerC.Args)
	}

	// Probes: paths the API really serves, on the port it listens on.
	env := r.containerEnv(t, apiC, external)
	_, httpPort, _ := net.SplitHostPort(env["MULTISAUDE_HTTP_ADDR"])
	if fmt.Sprint(portNumber(apiC, "http")) != httpPort {
		t.Errorf("container port http %d, MULTISAUDE_HTTP_ADDR %q", portNumber(apiC, "http"), env["MULTISAUDE_HTTP_ADDR"])
	}
	for what, p := range map[string]*corev1.Probe{"readiness": apiC.ReadinessProbe, "liveness": apiC.LivenessProbe, "startup": apiC.StartupProbe} {
		if p == nil || p.HTTPGet == nil {
			t.Errorf("api %s probe: not an HTTP GET", what)
			continue
		}
		if p.HTTPGet.Port.StrVal != "http" {
			t.Errorf("api %s probe on port %v", what, p.HTTPGet.Port)
		}
		if got := servedStatus(t, p.HTTPGet.Path, false); got != http.StatusOK {
			t.Errorf("api %s probe GETs %s, which answers %d", what, p.HTTPGet.Path, got)
		}
	}
	if apiC.ReadinessProbe.HTTPGet.Path != "/readyz" || apiC.LivenessProbe.HTTPGet.Path != "/healthz" {
		t.Errorf("readiness must check the dependencies (/readyz), liveness only the process (/healthz)")
	}
	if p := workerC.ReadinessProbe; p == nil || p.Exec == nil || !slices.Equal(p.Exec.Command, []string{"/usr/local/bin/multisaude", "healthcheck", "--worker"}) {
		t.Errorf("worker readiness probe: %+v", workerC.ReadinessProbe)
	}

	// Security, for every pod.
	checkSecurity(t, "api", api.Spec.Template.Spec)
	checkSecurity(t, "worker", worker.Spec.Template.Spec)
	if len(r.jobs) != 1 {
		t.Fatalf("%d Jobs, want the migration", len(r.jobs))
	}
	job := r.jobs[0]
	checkSecurity(t, "migrate", job.Spec.Template.Spec)

	// The migration Job runs before install and upgrade, on what it reads then.
	if job.Annotations["helm.sh/hook"] != "pre-install,pre-upgrade" {
		t.Errorf("migration hook %q", job.Annotations["helm.sh/hook"])
	}
	if !strings.Contains(job.Annotations["helm.sh/hook-delete-policy"], "before-hook-creation") {
		t.Errorf("a second upgrade would collide with the last Job: delete policy %q", job.Annotations["helm.sh/hook-delete-policy"])
	}
	jc := job.Spec.Template.Spec.Containers[0]
	if !slices.Equal(jc.Args, []string{"migrate", "up"}) || job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever {
		t.Errorf("migration: args %q, restart %q", jc.Args, job.Spec.Template.Spec.RestartPolicy)
	}
	if len(jc.EnvFrom) > 0 || job.Spec.Template.Spec.ServiceAccountName != "" {
		t.Error("the pre-install Job reads the release's ConfigMap, Secret or ServiceAccount, which do not exist yet")
	}
	for _, e := range jc.Env {
		if _, ok := known[e.Name]; !ok {
			t.Errorf("migration sets %s, not a configuration variable", e.Name)
		}
		if ref := e.ValueFrom; ref != nil && ref.SecretKeyRef != nil && external == nil && !r.hookedSecrets[ref.SecretKeyRef.Name] {
			t.Errorf("migration reads Secret %s, which is not a hook created before it", ref.SecretKeyRef.Name)
		}
	}
	jenv := r.containerEnv(t, jc, external)
	if cfg, err := appwire.LoadDatabase(func(k string) string { return jenv[k] }); err != nil || cfg.Profile != appwire.ProfileOnprem {
		t.Errorf("the migration would not start: %v", err)
	}
	for _, s := range r.secrets {
		if r.hookedSecrets[s.Name] {
			sw, err1 := strconv.Atoi(s.Annotations["helm.sh/hook-weight"])
			jw, err2 := strconv.Atoi(job.Annotations["helm.sh/hook-weight"])
			if s.Annotations["helm.sh/hook"] != job.Annotations["helm.sh/hook"] || err1 != nil || err2 != nil || sw >= jw {
				t.Errorf("hook Secret %s is not created before the Job: %v", s.Name, s.Annotations)
			}
		}
	}

	// The Service reaches the API pods' ports.
	if len(r.services) != 1 {
		t.Fatalf("%d Services", len(r.services))
	}
	svc := r.services[0]
	if !selects(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, api.Spec.Template.Labels) ||
		selects(t, &metav1.LabelSelector{MatchLabels: svc.Spec.Selector}, worker.Spec.Template.Labels) {
		t.Error("the Service does not select the API pods alone")
	}
	svcPorts := map[string]corev1.ServicePort{}
	for _, p := range svc.Spec.Ports {
		if portNumber(apiC, p.TargetPort.StrVal) == 0 {
			t.Errorf("Service port %s targets %v, not a port of the API container", p.Name, p.TargetPort)
		}
		svcPorts[p.Name] = p
	}
	_, metricsPort, _ := net.SplitHostPort(env["MULTISAUDE_METRICS_ADDR"])
	if fmt.Sprint(portNumber(apiC, "metrics")) != metricsPort {
		t.Errorf("container port metrics %d, MULTISAUDE_METRICS_ADDR %q", portNumber(apiC, "metrics"), env["MULTISAUDE_METRICS_ADDR"])
	}
	if h, _, _ := net.SplitHostPort(env["MULTISAUDE_METRICS_ADDR"]); h == "127.0.0.1" || h == "localhost" {
		t.Error("metrics listen on loopback: Prometheus cannot scrape them")
	}

	if len(r.pdbs) != 1 || !selects(t, r.pdbs[0].Spec.Selector, api.Spec.Template.Labels) {
		t.Error("no PodDisruptionBudget over the API pods")
	}

	// NetworkPolicy: the API open on http (and metrics) only; the worker and the migration closed.
	if len(r.netpols) != 2 {
		t.Fatalf("%d NetworkPolicies", len(r.netpols))
	}
	for _, np := range r.netpols {
		forAPI := selects(t, &np.Spec.PodSelector, api.Spec.Template.Labels)
		forWorker := selects(t, &np.Spec.PodSelector, worker.Spec.Template.Labels) && selects(t, &np.Spec.PodSelector, job.Spec.Template.Labels)
		if forAPI == forWorker {
			t.Errorf("NetworkPolicy %s selects api=%v worker+migrate=%v", np.Name, forAPI, forWorker)
		}
		if !slices.Contains(np.Spec.PolicyTypes, networkingv1.PolicyTypeEgress) || len(np.Spec.Egress) == 0 {
			t.Errorf("NetworkPolicy %s leaves egress open", np.Name)
		}
		var ingressPorts []string
		for _, rule := range np.Spec.Ingress {
			if len(rule.From) == 0 {
				t.Errorf("NetworkPolicy %s admits everyone", np.Name)
			}
			for _, p := range rule.Ports {
				ingressPorts = append(ingressPorts, p.Port.String())
			}
		}
		sort.Strings(ingressPorts)
		want := []string(nil)
		if forAPI {
			want = []string{"http", "metrics"}
		}
		if !slices.Equal(ingressPorts, want) {
			t.Errorf("NetworkPolicy %s admits ports %v, want %v", np.Name, ingressPorts, want)
		}
	}

	// envFrom names the rendered ConfigMap and the Secret (the chart's or the existing one).
	for _, d := range []*appsv1.Deployment{api, worker} {
		c := d.Spec.Template.Spec.Containers[0]
		if len(c.EnvFrom) != 2 || c.EnvFrom[1].SecretRef == nil {
			t.Fatalf("%s envFrom: %+v", d.Name, c.EnvFrom)
		}
		if external != nil && c.EnvFrom[1].SecretRef.Name != "multisaude-credentials" {
			t.Errorf("%s reads Secret %s, not existingSecret", d.Name, c.EnvFrom[1].SecretRef.Name)
		}
		if d.Spec.Template.Spec.ServiceAccountName != r.serviceAccts[0].Name {
			t.Errorf("%s runs as %q, not the chart's ServiceAccount", d.Name, d.Spec.Template.Spec.ServiceAccountName)
		}
	}

	// Optional parts: autoscaling targets the API; the Ingress and the monitor reach real ports.
	for _, h := range r.hpas {
		ref := h.Spec.ScaleTargetRef
		if ref.Kind != "Deployment" || ref.APIVersion != "apps/v1" || ref.Name != api.Name {
			t.Errorf("HPA scales %s %s, not the API", ref.Kind, ref.Name)
		}
		if api.Spec.Replicas != nil {
			t.Error("autoscaled API Deployment also fixes replicas (every upgrade would reset them)")
		}
		if h.Spec.MinReplicas == nil || *h.Spec.MinReplicas < 2 {
			t.Error("HPA may scale the API below 2 (the PodDisruptionBudget then blocks every drain)")
		}
	}
	for _, ing := range r.ingresses {
		for _, rule := range ing.Spec.Rules {
			for _, p := range rule.HTTP.Paths {
				b := p.Backend.Service
				if b == nil || b.Name != svc.Name || b.Port.Name != "http" {
					t.Errorf("Ingress backend %+v is not the Service's http port", b)
				}
				if _, ok := svcPorts[b.Port.Name]; !ok {
					t.Errorf("Ingress targets port %s the Service lacks", b.Port.Name)
				}
			}
		}
	}
	for _, m := range r.monitors {
		if !selects(t, &m.Spec.Selector, svc.Labels) {
			t.Errorf("ServiceMonitor does not select the Service %s", svc.Name)
		}
		for _, ep := range m.Spec.Endpoints {
			if _, ok := svcPorts[ep.Port]; !ok || svcPorts[ep.Port].TargetPort.StrVal != "metrics" {
				t.Errorf("ServiceMonitor scrapes port %q, not the metrics port", ep.Port)
			}
			if got := servedStatus(t, ep.Path, true); got != http.StatusOK {
				t.Errorf("ServiceMonitor scrapes %s, which the metrics listener answers %d", ep.Path, got)
			}
		}
	}
}

func TestChartDefaultsRefuseToRenderWithoutTheHospitalsValues(t *testing.T) {
	_, err := renderChart(t, nil)
	if err == nil || !strings.Contains(err.Error(), "is required") {
		t.Fatalf("the chart rendered with no addresses and no credentials: %v", err)
	}
	// Each credential is named when it alone is missing.
	for _, path := range [][2]string{{"keys", "masterKeys"}, {"postgresql", "url"}, {"jitsi", "secret"}, {"keycloak", "adminClientSecret"}} {
		v := minimalValues()
		delete(v[path[0]].(map[string]any), path[1])
		_, err := renderChart(t, v)
		if err == nil || !strings.Contains(err.Error(), path[0]+"."+path[1]+" is required") {
			t.Errorf("without %s.%s: %v", path[0], path[1], err)
		}
	}
	v := minimalValues()
	v["extraConfig"] = map[string]any{"DATABASE_URL": "x"}
	if _, err := renderChart(t, v); err == nil || !strings.Contains(err.Error(), "not a MULTISAUDE_* variable") {
		t.Errorf("extraConfig with a foreign name: %v", err)
	}
}

func TestChartMinimal(t *testing.T) {
	r := render(t, minimalValues())
	checkChart(t, r, nil)
	want := []string{"ConfigMap", "Deployment", "Deployment", "Job", "NetworkPolicy", "NetworkPolicy", "PodDisruptionBudget", "Secret", "Secret", "Service", "ServiceAccount"}
	got := slices.Clone(r.kinds)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Errorf("kinds %v, want %v", got, want)
	}
	if api := r.deployment(t, "api"); api.Spec.Replicas == nil || *api.Spec.Replicas != 2 {
		t.Error("the API does not run 2 replicas by default")
	}
}

func TestChartIngressAutoscalingServiceMonitor(t *testing.T) {
	r := render(t, fullValues())
	checkChart(t, r, nil)
	if len(r.ingresses) != 1 || len(r.hpas) != 1 || len(r.monitors) != 1 {
		t.Fatalf("ingress %d, hpa %d, servicemonitor %d", len(r.ingresses), len(r.hpas), len(r.monitors))
	}
	env := r.containerEnv(t, r.deployment(t, "api").Spec.Template.Spec.Containers[0], nil)
	if env["MULTISAUDE_NOMINATIM_URL"] == "" || env["MULTISAUDE_SMTP_USERNAME"] != "relay-user" || env["MULTISAUDE_SMTP_PASSWORD"] != "relay-pass" {
		t.Errorf("extraConfig or SMTP credentials lost: %v", env)
	}
	cfg, err := loadConfig(env)
	if err != nil || cfg.Geocoder != appwire.GeocoderNominatim {
		t.Errorf("geocoder %q, %v", cfg.Geocoder, err)
	}
	for _, np := range r.netpols {
		if np.Spec.Egress[1].To == nil || np.Spec.Egress[1].To[0].IPBlock.CIDR != "10.20.0.0/16" {
			t.Errorf("NetworkPolicy %s ignores egressCIDRs", np.Name)
		}
	}
}

func TestChartExistingSecret(t *testing.T) {
	r := render(t, existingSecretValues())
	if len(r.secrets) != 0 {
		t.Fatalf("the chart renders %d Secrets beside existingSecret", len(r.secrets))
	}
	checkChart(t, r, existingSecretData)
	ref := r.jobs[0].Spec.Template.Spec.Containers[0].Env
	if i := slices.IndexFunc(ref, func(e corev1.EnvVar) bool { return e.Name == "MULTISAUDE_DATABASE_URL" }); i < 0 || ref[i].ValueFrom.SecretKeyRef.Name != "multisaude-credentials" {
		t.Error("the migration does not read the database URL from existingSecret")
	}
	for _, d := range r.deployments {
		if _, ok := d.Spec.Template.Annotations["checksum/secret"]; ok {
			t.Errorf("%s: a checksum of a Secret the chart does not hold", d.Name)
		}
	}
}

// A misspelt field or one Kubernetes does not have fails the decoder: the
// strict decoding above is not a formality.
func TestStrictDecodingCatchesMisspeltFields(t *testing.T) {
	r := render(t, fullValues())
	mutations := []struct{ kind, from, to string }{
		{"Deployment", "readOnlyRootFilesystem:", "readOnlyRootFileSystem:"},
		{"Deployment", "readinessProbe:", "readynessProbe:"},
		{"Job", "backoffLimit:", "backOffLimit:"},
		{"HorizontalPodAutoscaler", "averageUtilization:", "averageUtilisation:"},
		{"NetworkPolicy", "policyTypes:", "policyType:"},
		{"ServiceMonitor", "endpoints:", "endpoint:"},
		{"Ingress", "pathType:", "pathtype:"},
	}
	for _, m := range mutations {
		found := false
		for _, doc := range r.docs {
			if _, kind, _ := decodeStrict(doc); kind != m.kind || !strings.Contains(doc, m.from) {
				continue
			}
			found = true
			if _, _, err := decodeStrict(strings.Replace(doc, m.from, m.to, 1)); err == nil {
				t.Errorf("%s with %q instead of %q decoded without error", m.kind, m.to, m.from)
			}
		}
		if !found {
			t.Errorf("no %s holds %q to mutate", m.kind, m.from)
		}
	}
}

func TestChartFilesAreTheOnesTested(t *testing.T) {
	// The chart replaces the old manifest; nothing should point at it.
	if m, _ := filepath.Glob("kubernetes.yaml"); len(m) > 0 {
		t.Error("deploy/onprem/kubernetes.yaml is back: the chart supersedes it")
	}
}
