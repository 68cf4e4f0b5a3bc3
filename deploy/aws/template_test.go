// Package awsdeploy checks deploy/aws/template.yaml, the AWS SAM template,
// against the code: the queues sqsqueue looks up, the variables wire.Config
// reads, the binary the Makefile builds, least-privilege IAM and encryption.
package awsdeploy

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/awslabs/goformation/v7"
	"github.com/awslabs/goformation/v7/cloudformation"
	"github.com/awslabs/goformation/v7/intrinsics"

	"github.com/multisaude/multisaude/adapters/identity/jwks"
	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/core/commerce"
	"github.com/multisaude/multisaude/core/consent"
	"github.com/multisaude/multisaude/core/identity"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/core/scheduling"
	"github.com/multisaude/multisaude/ports"
	appwire "github.com/multisaude/multisaude/wire"
)

// stack is the template as CloudFormation would see it for one set of
// parameters. goformation resolves the intrinsic functions with handlers of
// ours: a parameter becomes its value, Fn::If takes its branch, AWS::NoValue
// disappears; a reference to a resource or an attribute, which only exists
// once deployed, stays as the text "${Name}" or "${Name.Attr}", so a test can
// see what an ARN or a name points at. raw is the same resolved document as
// plain JSON, for what goformation's types leave out (SAM's Globals, a
// function's Metadata, LoggingConfig, event properties).
type stack struct {
	tpl    *cloudformation.Template
	raw    map[string]any
	params map[string]string
	active map[string]bool // logical ID -> created for these parameters (its Condition holds)
}

// required are values for the parameters that have no default.
var required = map[string]string{
	"PublicUrl": "https://app.multisaude.test", "SesFrom": "MultiSaúde <nao-responda@multisaude.test>", "SesIdentity": "multisaude.test",
	"StripeSecretKey": "sk_test_template", "StripeWebhookSecret": "whsec_template",
}

// modes are the parameter sets the checks run on.
var modes = map[string]map[string]string{
	"lambda":         {},
	"lambda+tracing": {"Tracing": "otlp", "AdotLayerArn": "arn:aws:lambda:sa-east-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1"},
	"ecs":            {"ComputeMode": "ecs", "ContainerImage": "111122223333.dkr.ecr.sa-east-1.amazonaws.com/multisaude:1"},
}

func parse(src []byte, over map[string]string) (*stack, error) {
	params := map[string]any{}
	for k, v := range required {
		params[k] = v
	}
	for k, v := range over {
		params[k] = v
	}
	opts := &intrinsics.ProcessorOptions{ParameterOverrides: params, IntrinsicHandlerOverrides: map[string]intrinsics.IntrinsicHandler{
		"Ref": fnRef, "Fn::GetAtt": fnGetAtt, "Fn::Sub": fnSub, "Fn::If": fnIf,
	}}
	resolved, err := intrinsics.ProcessYAML(src, opts)
	if err != nil {
		return nil, err
	}
	var doc any
	if err := json.Unmarshal(resolved, &doc); err != nil {
		return nil, err
	}
	doc = prune(doc)
	clean, _ := json.Marshal(withoutNewSAMFields(doc))
	tpl, err := goformation.ParseJSONWithOptions(clean, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		return nil, fmt.Errorf("goformation: %w", err)
	}
	raw := doc.(map[string]any)
	s := &stack{tpl: tpl, raw: raw, params: map[string]string{}, active: map[string]bool{}}
	for name, p := range asMap(raw["Parameters"]) {
		if d, ok := asMap(p)["Default"]; ok {
			s.params[name] = fmt.Sprint(d)
		}
	}
	var srcDoc any
	if err := json.Unmarshal(mustProcessRaw(src), &srcDoc); err != nil {
		return nil, err
	}
	all := map[string]any{}
	for k, v := range s.params {
		all[k] = v
	}
	for id, r := range asMap(raw["Resources"]) {
		cond, _ := asMap(r)["Condition"].(string)
		s.active[id] = cond == "" || evalCondition(srcDoc, cond, all)
	}
	return s, nil
}

// mustProcessRaw is the template as JSON with its intrinsic functions untouched.
func mustProcessRaw(src []byte) []byte {
	b, err := intrinsics.ProcessYAML(src, &intrinsics.ProcessorOptions{NoProcess: true})
	if err != nil {
		panic(err)
	}
	return b
}

// newSAMFields are SAM properties younger than goformation's schema (which
// refuses unknown fields); the checks read them from raw.
var newSAMFields = map[string][]string{
	"AWS::Serverless::Function": {"LoggingConfig"},
	"AWS::Serverless::HttpApi":  {"AccessLogSettings"},
}

// withoutNewSAMFields is a copy of doc for goformation, without newSAMFields.
func withoutNewSAMFields(doc any) any {
	b, _ := json.Marshal(doc)
	var cp map[string]any
	_ = json.Unmarshal(b, &cp)
	for _, r := range asMap(cp["Resources"]) {
		for _, f := range newSAMFields[fmt.Sprint(asMap(r)["Type"])] {
			delete(asMap(asMap(r)["Properties"]), f)
		}
	}
	return cp
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }

// prune drops what AWS::NoValue removed (nulls), as CloudFormation does.
func prune(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if e == nil {
				delete(x, k)
				continue
			}
			x[k] = prune(e)
		}
	case []any:
		out := x[:0]
		for _, e := range x {
			if e != nil {
				out = append(out, prune(e))
			}
		}
		return out
	}
	return v
}

func paramValue(tpl any, name string) (string, bool) {
	p, ok := asMap(asMap(tpl)["Parameters"])[name]
	if !ok {
		return "", false
	}
	d, ok := asMap(p)["Default"]
	if !ok {
		return "", false
	}
	return fmt.Sprint(d), true
}

func fnRef(_ string, in any, tpl any) any {
	name, ok := in.(string)
	if !ok {
		return nil
	}
	if name == "AWS::NoValue" {
		return nil
	}
	if v, ok := paramValue(tpl, name); ok {
		return v
	}
	return "${" + name + "}"
}

func fnGetAtt(_ string, in any, _ any) any {
	switch x := in.(type) {
	case string:
		return "${" + x + "}"
	case []any:
		parts := make([]string, len(x))
		for i, p := range x {
			parts[i] = fmt.Sprint(p)
		}
		return "${" + strings.Join(parts, ".") + "}"
	}
	return nil
}

var subVar = regexp.MustCompile(`\$\{([A-Za-z0-9:._]+)\}`)

func fnSub(_ string, in any, tpl any) any {
	var src string
	vars := map[string]any{}
	switch x := in.(type) {
	case string:
		src = x
	case []any:
		if len(x) != 2 {
			return nil
		}
		src, _ = x[0].(string)
		vars = asMap(x[1])
	default:
		return nil
	}
	return subVar.ReplaceAllStringFunc(src, func(m string) string {
		name := m[2 : len(m)-1]
		if v, ok := vars[name]; ok {
			return fmt.Sprint(v)
		}
		if v, ok := paramValue(tpl, name); ok {
			return v
		}
		return m // a resource, an attribute or a pseudo parameter: kept
	})
}

func fnIf(_ string, in any, tpl any) any {
	x, ok := in.([]any)
	if !ok || len(x) != 3 {
		return nil
	}
	name, _ := x[0].(string)
	params := map[string]any{}
	for n := range asMap(asMap(tpl)["Parameters"]) {
		if v, ok := paramValue(tpl, n); ok {
			params[n] = v
		}
	}
	if evalCondition(tpl, name, params) {
		return x[1]
	}
	return x[2]
}

// evalCondition evaluates the template's condition name (Fn::Equals, Fn::Not,
// Fn::And, Fn::Or over parameters) as CloudFormation would.
func evalCondition(tpl any, name string, params map[string]any) bool {
	expr, ok := asMap(asMap(tpl)["Conditions"])[name]
	if !ok {
		panic("no condition " + name)
	}
	var eval func(e any) any
	eval = func(e any) any {
		m := asMap(e)
		if m == nil {
			return e
		}
		for k, v := range m {
			args, _ := v.([]any)
			switch k {
			case "Ref":
				return fmt.Sprint(params[v.(string)])
			case "Condition":
				return evalCondition(tpl, v.(string), params)
			case "Fn::Equals":
				return fmt.Sprint(eval(args[0])) == fmt.Sprint(eval(args[1]))
			case "Fn::Not":
				return !eval(args[0]).(bool)
			case "Fn::And":
				for _, a := range args {
					if !eval(a).(bool) {
						return false
					}
				}
				return true
			case "Fn::Or":
				for _, a := range args {
					if eval(a).(bool) {
						return true
					}
				}
				return false
			}
		}
		panic(fmt.Sprintf("condition %s: cannot evaluate %v", name, e))
	}
	return eval(expr).(bool)
}

// ref is the resource a resolved value points at ("${Name}" or "${Name.Attr}").
var refRE = regexp.MustCompile(`^\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}$`)

func refersTo(v string) (id, attr string, ok bool) {
	m := refRE.FindStringSubmatch(v)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

func (s *stack) resourceType(id string) string {
	t, _ := asMap(asMap(s.raw["Resources"])[id])["Type"].(string)
	return t
}

// ourKey reports whether v points at a KMS key of this template.
func (s *stack) ourKey(v *string) bool {
	if v == nil {
		return false
	}
	id, _, ok := refersTo(*v)
	return ok && s.resourceType(id) == "AWS::KMS::Key" && s.active[id]
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// queueNames are the names sqsqueue looks up for each topic and its dead letters.
func queueNames(t testing.TB, prefix string) (main, dead map[string]string) {
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	q, _, err := sqsqueue.New(context.Background(), sqsqueue.Config{QueuePrefix: prefix, Region: "sa-east-1", AccessKeyID: "x", SecretAccessKey: "y"})
	if err != nil {
		t.Fatal(err)
	}
	main, dead = map[string]string{}, map[string]string{}
	for _, topic := range appwire.Topics() {
		main[q.QueueName(topic)] = topic
		dead[q.QueueName(ports.DeadLetter(topic))] = topic
	}
	return main, dead
}

// scheduledTopics are the topics whose messages are scheduled (ports.Scheduler),
// so EventBridge Scheduler sends to their queues: scheduling.Reminders,
// commerce's order expiry and webhook retries, consent's export expiry,
// retention purge and audit digest.
var scheduledTopics = []string{scheduling.TopicReminderDue, commerce.TopicOrderExpire, commerce.TopicWebhookAttempt,
	consent.TopicExportExpire, consent.TopicRetentionPurge, consent.TopicAuditDigest}

// otherVariables are variables a function may set that are not wire.Config's.
var otherVariables = map[string]string{
	// AWS's own: the ADOT collector layer's configuration file
	"OPENTELEMETRY_COLLECTOR_CONFIG_URI": "ADOT Lambda layer",
}

// starResource lists the Allow statements (by policy kind and Sid) whose
// Resource may be "*" because AWS offers nothing narrower.
var starResource = map[string]string{
	"key/AccountAdministers": `a key policy's Resource "*" is the key itself`,
	"key/AlarmsPublish":      `a key policy's Resource "*" is the key itself`,
	"key/LogsUse":            `a key policy's Resource "*" is the key itself`,
	"iam/QueuesPing":         `sqs:ListQueues has no resource-level permission`,
	"iam/Traces":             `xray:PutTraceSegments and PutTelemetryRecords have no resource-level permission`,
	"iam/Video":              `Chime SDK meetings get their IDs when created; AWS's AmazonChimeSDK policy grants these on "*"`,
}

// starAction lists the wildcard actions allowed, by policy kind, Sid and action.
var starAction = map[string]string{
	"key/AccountAdministers/kms:*": "AWS's default key policy: the account's IAM policies decide who uses the key",
}

// managedAllowed are the AWS managed policies roles may carry (they hold
// actions AWS only grants on "*").
var managedAllowed = map[string]string{
	"AWSLambdaVPCAccessExecutionRole":  "ec2:CreateNetworkInterface and its kin for functions in a VPC",
	"AmazonECSTaskExecutionRolePolicy": "ecr:GetAuthorizationToken for pulling the image",
}

// makefileBuild is what the Makefile's target for a function builds.
type makefileBuild struct {
	goos, goarch, output string
	tags                 []string
	cgo, pkg             string
}

var goBuildRE = regexp.MustCompile(`GOOS=(\S+) GOARCH=(\S+) CGO_ENABLED=(\d) go build (.*) -o \$\(ARTIFACTS_DIR\)/(\S+) (\./\S+)`)

// makeTargets reads the Makefile: every build-<LogicalId> target and the go
// build line it runs (through a variable or written out).
func makeTargets(makefile string) map[string]makefileBuild {
	vars := map[string]string{}
	out := map[string]makefileBuild{}
	var target string
	for _, line := range strings.Split(makefile, "\n") {
		if strings.HasPrefix(line, "#") || strings.TrimSpace(line) == "" {
			continue
		}
		if k, v, ok := strings.Cut(line, " = "); ok && !strings.HasPrefix(line, "\t") {
			vars[strings.TrimSpace(k)] = v
			continue
		}
		if strings.HasSuffix(line, ":") && !strings.HasPrefix(line, "\t") {
			target = strings.TrimSuffix(line, ":")
			continue
		}
		if strings.HasPrefix(line, "\t") && strings.HasPrefix(target, "build-") {
			cmd := strings.TrimSpace(line)
			if m := regexp.MustCompile(`^\$\((\w+)\)$`).FindStringSubmatch(cmd); m != nil {
				cmd = vars[m[1]]
			}
			if m := goBuildRE.FindStringSubmatch(cmd); m != nil {
				b := makefileBuild{goos: m[1], goarch: m[2], cgo: m[3], output: m[5], pkg: m[6]}
				if t := regexp.MustCompile(`-tags (\S+)`).FindStringSubmatch(m[4]); t != nil {
					b.tags = strings.Split(t[1], ",")
				}
				out[strings.TrimPrefix(target, "build-")] = b
			}
		}
	}
	return out
}

// lambdaArch is Lambda's name for a GOARCH.
var lambdaArch = map[string]string{"arm64": "arm64", "amd64": "x86_64"}

// check returns every way the template fails the code's needs, for one mode.
func check(t testing.TB, s *stack, makefile string) []string {
	var p []string
	bad := func(format string, a ...any) { p = append(p, fmt.Sprintf(format, a...)) }
	lambda := s.params["ComputeMode"] == "lambda"
	prefix := s.params["QueuePrefix"]
	maxAttempts := s.params["QueueMaxAttempts"]

	// Queues: exactly one per topic and one per topic's dead letters, named as sqsqueue names them.
	wantMain, wantDead := queueNames(t, prefix)
	byName := map[string]string{} // queue name -> logical ID
	queues := s.tpl.GetAllSQSQueueResources()
	for id, q := range queues {
		if !s.active[id] {
			continue
		}
		name := str(q.QueueName)
		if _, dup := byName[name]; dup {
			bad("queue %s is declared twice", name)
		}
		byName[name] = id
		if !s.ourKey(q.KmsMasterKeyId) {
			bad("queue %s (%s) is not encrypted with a KMS key of this template (KmsMasterKeyId)", name, id)
		}
		if q.FifoQueue == nil || !*q.FifoQueue {
			bad("queue %s is not FIFO (sqsqueue uses FIFO queues)", name)
		}
		if q.ContentBasedDeduplication == nil || !*q.ContentBasedDeduplication {
			bad("queue %s lacks ContentBasedDeduplication (EventBridge Scheduler sends without a deduplication ID)", name)
		}
		_, isMain := wantMain[name]
		_, isDead := wantDead[name]
		switch {
		case isMain:
			rp := asMap(q.RedrivePolicy)
			dlq, _ := rp["deadLetterTargetArn"].(string)
			dlqID, attr, ok := refersTo(dlq)
			if !ok || attr != "Arn" || queues[dlqID] == nil {
				bad("queue %s: RedrivePolicy.deadLetterTargetArn %q is not a queue of this template", name, dlq)
			} else if dn := str(queues[dlqID].QueueName); wantDead[dn] != wantMain[name] {
				bad("queue %s redrives to %s, not to its topic's dead-letter queue", name, dn)
			}
			if fmt.Sprint(rp["maxReceiveCount"]) != maxAttempts {
				bad("queue %s: maxReceiveCount %v, want MULTISAUDE_QUEUE_MAX_ATTEMPTS (%s)", name, rp["maxReceiveCount"], maxAttempts)
			}
		case isDead:
			if q.MessageRetentionPeriod == nil || *q.MessageRetentionPeriod != 1209600 {
				bad("dead-letter queue %s keeps messages less than 14 days", name)
			}
		default:
			bad("queue %s is no topic's queue (wire.Topics) nor its dead-letter queue", name)
		}
	}
	for _, want := range []map[string]string{wantMain, wantDead} {
		for name, topic := range want {
			if _, ok := byName[name]; !ok {
				bad("no queue %s for topic %s", name, topic)
			}
		}
	}

	// Functions: the Makefile's binary, its handler, architecture and runtime.
	globals := asMap(asMap(s.raw["Globals"])["Function"])
	targets := makeTargets(makefile)
	functions := s.tpl.GetAllServerlessFunctionResources()
	rawRes := asMap(s.raw["Resources"])
	roles := map[string]string{}
	envs := map[string]map[string]string{} // function or container -> its variables
	for id, f := range functions {
		if !s.active[id] {
			continue
		}
		if !lambda {
			bad("function %s exists with ComputeMode=ecs", id)
		}
		props := asMap(asMap(rawRes[id])["Properties"])
		get := func(k string) any {
			if v, ok := props[k]; ok {
				return v
			}
			return globals[k]
		}
		meta := asMap(asMap(rawRes[id])["Metadata"])
		if meta["BuildMethod"] != "makefile" {
			bad("function %s: Metadata.BuildMethod is %v, want makefile", id, meta["BuildMethod"])
		}
		b, ok := targets[id]
		if !ok {
			bad("function %s: the Makefile has no target build-%s running go build", id, id)
			continue
		}
		if b.goos != "linux" || b.cgo != "0" || b.pkg != "./cmd/multisaude" || !slices.Contains(b.tags, "lambda") {
			bad("function %s: the Makefile builds %+v, want GOOS=linux CGO_ENABLED=0 -tags lambda ./cmd/multisaude", id, b)
		}
		if h := fmt.Sprint(get("Handler")); h != b.output {
			bad("function %s: Handler %q, but the Makefile writes $(ARTIFACTS_DIR)/%s", id, h, b.output)
		}
		archs, _ := get("Architectures").([]any)
		if len(archs) != 1 || archs[0] != lambdaArch[b.goarch] {
			bad("function %s: Architectures %v, but the Makefile builds GOARCH=%s (%s)", id, archs, b.goarch, lambdaArch[b.goarch])
		}
		if rt := fmt.Sprint(get("Runtime")); !strings.HasPrefix(rt, "provided.al2") {
			bad("function %s: Runtime %q, want an OS-only runtime (provided.al2023) for the Go binary", id, rt)
		}
		if f.Policies != nil {
			bad("function %s has SAM Policies: give it one of this template's roles instead", id)
		}
		role, _, ok := refersTo(str(f.Role))
		if !ok || s.resourceType(role) != "AWS::IAM::Role" {
			bad("function %s: Role %q is not a role of this template", id, str(f.Role))
		}
		roles[id] = role
		if !s.ourKey(strPtr(get("KmsKeyArn"))) {
			bad("function %s: its variables are not encrypted with a KMS key of this template (KmsKeyArn)", id)
		}
		lc := asMap(props["LoggingConfig"])
		lg, _, ok := refersTo(fmt.Sprint(lc["LogGroup"]))
		if !ok || s.resourceType(lg) != "AWS::Logs::LogGroup" {
			bad("function %s: LoggingConfig.LogGroup is not a log group of this template", id)
		}
		vpc := asMap(get("VpcConfig"))
		subnets, _ := vpc["SubnetIds"].([]any)
		if len(subnets) == 0 {
			bad("function %s is not in the VPC", id)
		}
		for _, sn := range subnets {
			if !s.private(fmt.Sprint(sn)) {
				bad("function %s: subnet %v is not private", id, sn)
			}
		}
		env := map[string]string{}
		for k, v := range asMap(asMap(globals["Environment"])["Variables"]) {
			env[k] = fmt.Sprint(v)
		}
		for k, v := range asMap(asMap(props["Environment"])["Variables"]) {
			env[k] = fmt.Sprint(v)
		}
		envs["function "+id] = env
		if s.params["Tracing"] == "otlp" {
			layers, _ := get("Layers").([]any)
			if !slices.Contains(layers, any(s.params["AdotLayerArn"])) {
				bad("function %s: Tracing=otlp but the ADOT layer is not among its layers %v", id, layers)
			}
		}
	}

	// The three Lambda roles, each the way the binary expects to be called.
	byRole := map[string]string{}
	for id := range envs {
		byRole[envs[id]["MULTISAUDE_LAMBDA_ROLE"]] = strings.TrimPrefix(id, "function ")
	}
	if lambda {
		for _, r := range []string{"api", "worker", "tick"} {
			if byRole[r] == "" {
				bad("no function has MULTISAUDE_LAMBDA_ROLE=%s", r)
			}
		}
		events := func(id string) map[string]any { return asMap(asMap(asMap(rawRes[id])["Properties"])["Events"]) }
		if id := byRole["api"]; id != "" {
			found := false
			for _, e := range events(id) {
				if asMap(e)["Type"] == "HttpApi" && asMap(asMap(e)["Properties"])["PayloadFormatVersion"] == "2.0" {
					found = true
				}
			}
			if !found {
				bad("the api function %s has no HttpApi event with payload format 2.0", id)
			}
		}
		if id := byRole["tick"]; id != "" {
			f := functions[id]
			found := false
			for _, e := range events(id) {
				ep := asMap(asMap(e)["Properties"])
				if (asMap(e)["Type"] == "Schedule" || asMap(e)["Type"] == "ScheduleV2") && ep["Schedule"] == "rate(1 minute)" {
					found = true
				}
			}
			if !found {
				bad("the tick function %s does not run every minute (Schedule rate(1 minute))", id)
			}
			if f.ReservedConcurrentExecutions == nil || *f.ReservedConcurrentExecutions != 1 {
				bad("the tick function %s may run more than once at a time (ReservedConcurrentExecutions 1)", id)
			}
			if f.Timeout == nil || *f.Timeout != 60 {
				bad("the tick function %s: Timeout %v, want 60", id, f.Timeout)
			}
		}
		// The worker: one mapping per topic queue, batch item failures, none on a dead-letter queue.
		if id := byRole["worker"]; id != "" {
			timeout := 3
			if f := functions[id]; f.Timeout != nil {
				timeout = *f.Timeout
			}
			mapped := map[string]bool{}
			for mid, m := range s.tpl.GetAllLambdaEventSourceMappingResources() {
				if !s.active[mid] {
					continue
				}
				if fn, _, _ := refersTo(m.FunctionName); fn != id {
					continue
				}
				qid, _, _ := refersTo(str(m.EventSourceArn))
				q := queues[qid]
				if q == nil {
					bad("mapping %s reads %q, not a queue of this template", mid, str(m.EventSourceArn))
					continue
				}
				name := str(q.QueueName)
				if _, ok := wantMain[name]; !ok {
					bad("mapping %s makes the worker read %s, which is no topic's queue", mid, name)
				}
				if !slices.Contains(m.FunctionResponseTypes, "ReportBatchItemFailures") {
					bad("mapping %s (%s) lacks FunctionResponseTypes ReportBatchItemFailures: one bad message would retry its whole batch", mid, name)
				}
				if q.VisibilityTimeout == nil || *q.VisibilityTimeout < timeout {
					bad("queue %s: VisibilityTimeout below the worker's timeout (%d s)", name, timeout)
				}
				mapped[name] = true
			}
			for name := range wantMain {
				if !mapped[name] {
					bad("no event source mapping makes the worker read %s", name)
				}
			}
		}
	}

	// ECS: the two services' containers, their roles and subnets.
	for id, td := range s.tpl.GetAllECSTaskDefinitionResources() {
		if !s.active[id] {
			continue
		}
		if lambda {
			bad("task definition %s exists with ComputeMode=lambda", id)
		}
		role, _, ok := refersTo(str(td.TaskRoleArn))
		if !ok || s.resourceType(role) != "AWS::IAM::Role" {
			bad("task %s: TaskRoleArn is not a role of this template", id)
		}
		roles[id] = role
		for _, c := range td.ContainerDefinitions {
			env := map[string]string{}
			for _, kv := range c.Environment {
				env[str(kv.Name)] = str(kv.Value)
			}
			for _, sec := range c.Secrets {
				env[sec.Name] = "(from " + sec.ValueFrom + ")"
			}
			envs["task "+id+"/"+c.Name] = env
			cmd := strings.Join(c.Command, " ")
			if cmd != "serve --no-worker" && cmd != "worker" {
				bad("task %s runs %q, want serve --no-worker or worker", id, cmd)
			}
			if c.LogConfiguration == nil || !strings.HasPrefix(c.LogConfiguration.Options["awslogs-group"], "${") {
				bad("task %s does not log to a log group of this template", id)
			}
		}
	}
	for id, svc := range s.tpl.GetAllECSServiceResources() {
		if !s.active[id] || svc.NetworkConfiguration == nil || svc.NetworkConfiguration.AwsvpcConfiguration == nil {
			continue
		}
		vc := svc.NetworkConfiguration.AwsvpcConfiguration
		if str(vc.AssignPublicIp) != "DISABLED" {
			bad("service %s gives its tasks public addresses", id)
		}
		for _, sn := range vc.Subnets {
			if !s.private(sn) {
				bad("service %s: subnet %s is not private", id, sn)
			}
		}
	}
	if !lambda {
		cmds := map[string]bool{}
		for id, td := range s.tpl.GetAllECSTaskDefinitionResources() {
			if s.active[id] {
				for _, c := range td.ContainerDefinitions {
					cmds[strings.Join(c.Command, " ")] = true
				}
			}
		}
		if !cmds["serve --no-worker"] || !cmds["worker"] {
			bad("ComputeMode=ecs needs a serve --no-worker task and a worker task, has %v", cmds)
		}
	}

	// Variables: each one wire.Config reads (or allow-listed), and a complete aws profile.
	known := map[string]bool{}
	for _, f := range appwire.Fields() {
		known[f.Env] = true
	}
	if len(envs) == 0 {
		bad("no function or task: nothing runs the application")
	}
	for who, env := range envs {
		for k := range env {
			if !known[k] && otherVariables[k] == "" {
				bad("%s sets %s, which is not a wire.Config variable", who, k)
			}
		}
		if env["MULTISAUDE_PROFILE"] != "aws" {
			bad("%s: MULTISAUDE_PROFILE=%q, want aws", who, env["MULTISAUDE_PROFILE"])
		}
		if env["MULTISAUDE_SQS_REQUIRE_EXISTING"] != "true" {
			bad("%s: MULTISAUDE_SQS_REQUIRE_EXISTING must be true (the template creates the queues)", who)
		}
		if env["MULTISAUDE_SQS_QUEUE_PREFIX"] != prefix {
			bad("%s: MULTISAUDE_SQS_QUEUE_PREFIX=%q, but the queues are named with %q", who, env["MULTISAUDE_SQS_QUEUE_PREFIX"], prefix)
		}
		if env["MULTISAUDE_QUEUE_MAX_ATTEMPTS"] != maxAttempts {
			bad("%s: MULTISAUDE_QUEUE_MAX_ATTEMPTS=%q, but the queues redrive after %s", who, env["MULTISAUDE_QUEUE_MAX_ATTEMPTS"], maxAttempts)
		}
		if u := env["MULTISAUDE_DATABASE_URL"]; strings.Contains(strings.SplitN(strings.TrimPrefix(u, "postgres://"), "@", 2)[0], ":") && strings.Contains(u, "@") {
			bad("%s: MULTISAUDE_DATABASE_URL carries a password", who)
		}
		if sec, _, ok := refersTo(env["MULTISAUDE_DATABASE_SECRET_ARN"]); !ok || s.resourceType(sec) != "AWS::SecretsManager::Secret" {
			bad("%s: MULTISAUDE_DATABASE_SECRET_ARN is not a secret of this template", who)
		}
		refs := map[string]string{
			"MULTISAUDE_S3_BUCKET": "AWS::S3::Bucket", "MULTISAUDE_COGNITO_USER_POOL_ID": "AWS::Cognito::UserPool",
			"MULTISAUDE_COGNITO_CLIENT_ID": "AWS::Cognito::UserPoolClient", "MULTISAUDE_KMS_KEY_ID": "AWS::KMS::Key",
			"MULTISAUDE_SCHEDULER_ROLE_ARN": "AWS::IAM::Role", "MULTISAUDE_SCHEDULER_GROUP": "AWS::Scheduler::ScheduleGroup",
			"MULTISAUDE_LOCATION_PLACE_INDEX": "AWS::Location::PlaceIndex",
		}
		for k, typ := range refs {
			if id, _, ok := refersTo(env[k]); !ok || s.resourceType(id) != typ {
				bad("%s: %s=%q is not the template's %s", who, k, env[k], typ)
			}
		}
		if s.params["Tracing"] == "otlp" && strings.HasPrefix(who, "function") &&
			(env["MULTISAUDE_TRACES"] != "otlp" || env["MULTISAUDE_TRACES_ENDPOINT"] == "") {
			bad("%s: Tracing=otlp, but MULTISAUDE_TRACES=%q MULTISAUDE_TRACES_ENDPOINT=%q", who, env["MULTISAUDE_TRACES"], env["MULTISAUDE_TRACES_ENDPOINT"])
		}
		// The real validation of the aws profile: every required variable present and sound.
		if _, err := appwire.Load(func(k string) string { return env[k] }); err != nil {
			bad("%s: the aws profile does not start with these variables: %v", who, err)
		}
	}

	// Encryption everywhere, and the rest of the resources the code needs.
	for id, k := range s.tpl.GetAllKMSKeyResources() {
		if s.active[id] && (k.EnableKeyRotation == nil || !*k.EnableKeyRotation) {
			bad("KMS key %s: automatic rotation is off", id)
		}
	}
	dbs := 0
	for id, db := range s.tpl.GetAllRDSDBInstanceResources() {
		if !s.active[id] {
			continue
		}
		dbs++
		if db.StorageEncrypted == nil || !*db.StorageEncrypted || !s.ourKey(db.KmsKeyId) {
			bad("database %s: storage not encrypted with a KMS key of this template", id)
		}
		if db.PubliclyAccessible == nil || *db.PubliclyAccessible {
			bad("database %s is publicly accessible", id)
		}
		if db.BackupRetentionPeriod == nil || *db.BackupRetentionPeriod < 7 {
			bad("database %s keeps backups less than 7 days", id)
		}
		if db.DeletionProtection == nil || !*db.DeletionProtection {
			bad("database %s lacks DeletionProtection", id)
		}
		if v, _ := strconv.Atoi(strings.SplitN(str(db.EngineVersion), ".", 2)[0]); str(db.Engine) != "postgres" || v < 15 {
			bad("database %s is %s %s, want PostgreSQL 15 or later", id, str(db.Engine), str(db.EngineVersion))
		}
		if strings.Contains(str(db.MasterUserPassword), "{{resolve:secretsmanager:") == false {
			bad("database %s: the master password is not a Secrets Manager reference", id)
		}
		group, _, _ := refersTo(str(db.DBSubnetGroupName))
		if sg, ok := s.tpl.GetAllRDSDBSubnetGroupResources()[group]; !ok {
			bad("database %s has no subnet group of this template", id)
		} else {
			for _, sn := range sg.SubnetIds {
				if !s.private(sn) {
					bad("database %s: subnet %s is not private", id, sn)
				}
			}
		}
	}
	if dbs != 1 {
		bad("%d RDS instances, want 1", dbs)
	}
	for id, sec := range s.tpl.GetAllSecretsManagerSecretResources() {
		if s.active[id] && !s.ourKey(sec.KmsKeyId) {
			bad("secret %s is not encrypted with a KMS key of this template", id)
		}
	}
	for id, lg := range s.tpl.GetAllLogsLogGroupResources() {
		if s.active[id] && !s.ourKey(lg.KmsKeyId) {
			bad("log group %s is not encrypted with a KMS key of this template", id)
		}
	}
	for id, tp := range s.tpl.GetAllSNSTopicResources() {
		if s.active[id] && !s.ourKey(tp.KmsMasterKeyId) {
			bad("SNS topic %s is not encrypted with a KMS key of this template", id)
		}
	}
	buckets := 0
	for id, b := range s.tpl.GetAllS3BucketResources() {
		if !s.active[id] {
			continue
		}
		buckets++
		enc := false
		if b.BucketEncryption != nil {
			for _, r := range b.BucketEncryption.ServerSideEncryptionConfiguration {
				if d := r.ServerSideEncryptionByDefault; d != nil && d.SSEAlgorithm == "aws:kms" && s.ourKey(d.KMSMasterKeyID) {
					enc = true
				}
			}
		}
		if !enc {
			bad("bucket %s: default encryption is not SSE-KMS with a key of this template", id)
		}
		if b.VersioningConfiguration == nil || b.VersioningConfiguration.Status != "Enabled" {
			bad("bucket %s: versioning is not enabled", id)
		}
		pab := b.PublicAccessBlockConfiguration
		if pab == nil || !isTrue(pab.BlockPublicAcls) || !isTrue(pab.BlockPublicPolicy) || !isTrue(pab.IgnorePublicAcls) || !isTrue(pab.RestrictPublicBuckets) {
			bad("bucket %s: public access is not fully blocked", id)
		}
		tlsOnly := false
		for pid, bp := range s.tpl.GetAllS3BucketPolicyResources() {
			if bid, _, _ := refersTo(bp.Bucket); bid != id || !s.active[pid] {
				continue
			}
			for _, st := range statements(bp.PolicyDocument) {
				cond := asMap(asMap(st["Condition"])["Bool"])
				if st["Effect"] == "Deny" && fmt.Sprint(cond["aws:SecureTransport"]) == "false" {
					tlsOnly = true
				}
			}
		}
		if !tlsOnly {
			bad("bucket %s: no bucket policy denies requests without TLS (aws:SecureTransport false)", id)
		}
	}
	if buckets != 1 {
		bad("%d buckets, want 1", buckets)
	}

	// Cognito: the pool with the custom attributes and every group cognitoauth assigns.
	pools := s.tpl.GetAllCognitoUserPoolResources()
	if len(pools) != 1 {
		bad("%d user pools, want 1", len(pools))
	}
	for id, pool := range pools {
		attrs := map[string]bool{}
		for _, a := range pool.Schema {
			attrs[str(a.Name)] = true
		}
		for _, a := range []string{"account_id", "company_id"} {
			if !attrs[a] {
				bad("user pool %s lacks the custom attribute %s", id, a)
			}
		}
		// Not stricter than identity.CheckPassword, or sign-up would fail at the pool after the API accepted it.
		if pool.Policies != nil && pool.Policies.PasswordPolicy != nil {
			pp := pool.Policies.PasswordPolicy
			if (pp.MinimumLength != nil && *pp.MinimumLength > identity.MinPasswordLen) || isTrue(pp.RequireLowercase) ||
				isTrue(pp.RequireUppercase) || isTrue(pp.RequireNumbers) || isTrue(pp.RequireSymbols) {
				bad("user pool %s: its password policy is stricter than the application's (identity.CheckPassword)", id)
			}
		}
		groups := map[string]bool{}
		for _, g := range s.tpl.GetAllCognitoUserPoolGroupResources() {
			if pid, _, _ := refersTo(g.UserPoolId); pid == id {
				groups[str(g.GroupName)] = true
			}
		}
		for _, kind := range []kernel.AccountKind{kernel.KindPatient, kernel.KindProfessional, kernel.KindCompanyMember, kernel.KindAdmin} {
			for _, g := range jwks.Groups(kind, []string{identity.RoleAdmin, identity.RoleStaff}) {
				if !groups[g] {
					bad("user pool %s lacks the group %s", id, g)
				}
			}
		}
		clients := 0
		for _, c := range s.tpl.GetAllCognitoUserPoolClientResources() {
			if pid, _, _ := refersTo(c.UserPoolId); pid == id {
				clients++
			}
		}
		if clients == 0 {
			bad("user pool %s has no app client", id)
		}
	}

	// EventBridge Scheduler: its group, and a role that may send only to the scheduled topics' queues.
	if len(s.tpl.GetAllSchedulerScheduleGroupResources()) != 1 {
		bad("no schedule group")
	}
	schedRole := ""
	for _, env := range envs {
		schedRole, _, _ = refersTo(env["MULTISAUDE_SCHEDULER_ROLE_ARN"])
	}
	if r, ok := s.tpl.GetAllIAMRoleResources()[schedRole]; !ok {
		bad("the scheduler role %q is not in the template", schedRole)
	} else {
		if !strings.Contains(fmt.Sprint(r.AssumeRolePolicyDocument), "scheduler.amazonaws.com") {
			bad("the scheduler role %s cannot be assumed by scheduler.amazonaws.com", schedRole)
		}
		var sendTo []string
		for _, pol := range r.Policies {
			for _, st := range statements(pol.PolicyDocument) {
				if st["Effect"] == "Allow" && slices.Contains(list(st["Action"]), "sqs:SendMessage") {
					for _, res := range list(st["Resource"]) {
						qid, _, _ := refersTo(res)
						if q := queues[qid]; q != nil {
							sendTo = append(sendTo, str(q.QueueName))
						} else {
							sendTo = append(sendTo, res)
						}
					}
				}
			}
		}
		q, _, _ := sqsqueue.New(context.Background(), sqsqueue.Config{QueuePrefix: prefix, Region: "sa-east-1", AccessKeyID: "x", SecretAccessKey: "y"})
		var want []string
		for _, tp := range scheduledTopics {
			want = append(want, q.QueueName(tp))
		}
		sort.Strings(sendTo)
		sort.Strings(want)
		if !slices.Equal(sendTo, want) {
			bad("the scheduler role may send to %v, want exactly the scheduled topics' queues %v", sendTo, want)
		}
	}

	// Alarms: every dead-letter queue's depth, every queue's oldest message, the API's 5xx rate.
	depth, age := map[string]bool{}, map[string]bool{}
	fivexx := false
	for id, a := range s.tpl.GetAllCloudWatchAlarmResources() {
		if !s.active[id] {
			continue
		}
		if len(a.AlarmActions) == 0 {
			bad("alarm %s notifies nobody (AlarmActions)", id)
		}
		for _, d := range a.Dimensions {
			qid, _, _ := refersTo(d.Value)
			q := queues[qid]
			if d.Name != "QueueName" || q == nil {
				continue
			}
			switch str(a.MetricName) {
			case "ApproximateNumberOfMessagesVisible":
				if a.Threshold != nil && *a.Threshold == 0 && a.ComparisonOperator == "GreaterThanThreshold" {
					depth[str(q.QueueName)] = true
				}
			case "ApproximateAgeOfOldestMessage":
				age[str(q.QueueName)] = true
			}
		}
		text := str(a.Namespace) + str(a.MetricName)
		for _, m := range a.Metrics {
			if m.MetricStat != nil {
				text += str(m.MetricStat.Metric.Namespace) + str(m.MetricStat.Metric.MetricName)
			}
		}
		if text == "AWS/ApiGateway5xx" || strings.Contains(text, "HTTPCode_Target_5XX_Count") {
			fivexx = true
		}
	}
	for name := range wantDead {
		if !depth[name] {
			bad("no alarm when dead-letter queue %s holds a message", name)
		}
	}
	for name := range wantMain {
		if !age[name] {
			bad("no alarm on the age of the oldest message of %s", name)
		}
	}
	if !fivexx {
		bad("no alarm on the API's 5xx rate")
	}

	// IAM: no "*" action or resource in an Allow statement unless AWS offers nothing narrower.
	for id, r := range s.tpl.GetAllIAMRoleResources() {
		if !s.active[id] {
			continue
		}
		p = append(p, wildcards("role "+id+" trust", "trust", r.AssumeRolePolicyDocument)...)
		for _, pol := range r.Policies {
			p = append(p, wildcards("role "+id+" policy "+pol.PolicyName, "iam", pol.PolicyDocument)...)
		}
		for _, arn := range r.ManagedPolicyArns {
			if mid, _, ok := refersTo(arn); ok && s.resourceType(mid) == "AWS::IAM::ManagedPolicy" {
				continue
			}
			name := arn[strings.LastIndex(arn, "/")+1:]
			if managedAllowed[name] == "" {
				bad("role %s carries the managed policy %s, which is not allow-listed", id, arn)
			}
		}
	}
	for id, mp := range s.tpl.GetAllIAMManagedPolicyResources() {
		p = append(p, wildcards("managed policy "+id, "iam", mp.PolicyDocument)...)
	}
	for id, pol := range s.tpl.GetAllIAMPolicyResources() {
		p = append(p, wildcards("policy "+id, "iam", pol.PolicyDocument)...)
	}
	for id, k := range s.tpl.GetAllKMSKeyResources() {
		p = append(p, wildcards("key "+id, "key", k.KeyPolicy)...)
	}
	for id, qp := range s.tpl.GetAllSQSQueuePolicyResources() {
		p = append(p, wildcards("queue policy "+id, "iam", qp.PolicyDocument)...)
	}
	for id, bp := range s.tpl.GetAllS3BucketPolicyResources() {
		p = append(p, wildcards("bucket policy "+id, "iam", bp.PolicyDocument)...)
	}
	// Every role a function or task runs as exists (so the checks above saw its policies).
	for who, role := range roles {
		if _, ok := s.tpl.GetAllIAMRoleResources()[role]; !ok {
			bad("%s runs as %s, which is not a role of this template", who, role)
		}
	}
	return p
}

func isTrue(b *bool) bool { return b != nil && *b }

func strPtr(v any) *string {
	if v == nil {
		return nil
	}
	s := fmt.Sprint(v)
	return &s
}

// statements is a policy document's statements as maps.
func statements(doc any) []map[string]any {
	var out []map[string]any
	switch st := asMap(doc)["Statement"].(type) {
	case []any:
		for _, e := range st {
			out = append(out, asMap(e))
		}
	case map[string]any:
		out = append(out, st)
	}
	return out
}

// list is an IAM field that may be one string or a list.
func list(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, fmt.Sprint(e))
		}
		return out
	}
	return nil
}

// wildcards names each Allow statement of doc with "*" (or "service:*") as an
// action, or "*" as a resource, that wildcardAllowed does not list.
func wildcards(where, kind string, doc any) []string {
	var p []string
	for i, st := range statements(doc) {
		if st["Effect"] != "Allow" {
			continue // a Deny may be as wide as it likes
		}
		sid, _ := st["Sid"].(string)
		if _, ok := st["NotAction"]; ok {
			p = append(p, fmt.Sprintf("%s statement %d (%s): NotAction allows everything else", where, i, sid))
		}
		for _, a := range list(st["Action"]) {
			if (a == "*" || strings.HasSuffix(a, ":*")) && starAction[kind+"/"+sid+"/"+a] == "" {
				p = append(p, fmt.Sprintf("%s statement %d (%s): action %q is a wildcard", where, i, sid, a))
			}
		}
		for _, r := range list(st["Resource"]) {
			if r == "*" && starResource[kind+"/"+sid] == "" {
				p = append(p, fmt.Sprintf("%s statement %d (%s): resource \"*\"", where, i, sid))
			}
		}
	}
	return p
}

// private reports whether the subnet ("${Name}") has no route to an internet gateway.
func (s *stack) private(subnet string) bool {
	id, _, ok := refersTo(subnet)
	if !ok || s.resourceType(id) != "AWS::EC2::Subnet" {
		return false
	}
	for _, a := range s.tpl.GetAllEC2SubnetRouteTableAssociationResources() {
		if sn, _, _ := refersTo(a.SubnetId); sn != id {
			continue
		}
		rt, _, _ := refersTo(a.RouteTableId)
		for _, r := range s.tpl.GetAllEC2RouteResources() {
			if t, _, _ := refersTo(r.RouteTableId); t != rt {
				continue
			}
			if gw, _, ok := refersTo(str(r.GatewayId)); ok && s.resourceType(gw) == "AWS::EC2::InternetGateway" {
				return false
			}
		}
		return true
	}
	return false // no route table of ours: the VPC's main one, which this template does not control
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTemplateMatchesTheCode runs every check on the template in each mode.
func TestTemplateMatchesTheCode(t *testing.T) {
	src, makefile := read(t, "template.yaml"), string(read(t, "Makefile"))
	for mode, params := range modes {
		t.Run(mode, func(t *testing.T) {
			s, err := parse(src, params)
			if err != nil {
				t.Fatal(err)
			}
			for _, problem := range check(t, s, makefile) {
				t.Error(problem)
			}
		})
	}
}

// TestChecksCatchBrokenTemplates: each deliberately broken copy of the
// template (or Makefile) must make the checks fail, naming the problem; a
// check that passes these would pass anything.
func TestChecksCatchBrokenTemplates(t *testing.T) {
	src, makefile := string(read(t, "template.yaml")), string(read(t, "Makefile"))
	cut := func(s, from, to string) string { // drops s[from:to) (from included, to kept)
		i := strings.Index(s, from)
		j := strings.Index(s[i+len(from):], to)
		return s[:i] + s[i+len(from)+j:]
	}
	for _, c := range []struct {
		name, mode string
		edit       func(string) string
		editMake   func(string) string
		want       string
	}{
		{name: "a queue without encryption", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "      KmsMasterKeyId: !Ref DataKey\n      RedrivePolicy:", "      RedrivePolicy:", 1)
			},
			want: "is not encrypted with a KMS key of this template (KmsMasterKeyId)"},
		{name: "a wildcard action", mode: "lambda",
			edit: func(s string) string { return strings.Replace(s, "Action: s3:ListBucket", `Action: "s3:*"`, 1) },
			want: `action "s3:*" is a wildcard`},
		{name: "a wildcard action where only the resource may be one", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "Action: [chime:CreateMeeting, chime:CreateAttendee, chime:DeleteMeeting, chime:GetMeeting]", `Action: "chime:*"`, 1)
			},
			want: `(Video): action "chime:*" is a wildcard`},
		{name: "a wildcard resource", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "Action: geo:SearchPlaceIndexForText\n            Resource: !GetAtt PlaceIndex.Arn", "Action: geo:SearchPlaceIndexForText\n            Resource: \"*\"", 1)
			},
			want: `(Geocoding): resource "*"`},
		{name: "a queue missing", mode: "lambda",
			edit: func(s string) string { return cut(s, "  ConsentAuditDigestQueue:\n", "  ConsentAuditDigestMapping:") },
			want: "no queue multisaude-consent-audit-digest.fifo for topic consent.audit.digest"},
		{name: "a dead-letter queue missing", mode: "ecs",
			edit: func(s string) string {
				return cut(s, "  CommerceOrderExpireDeadQueue:\n", "  CommerceOrderExpireQueue:")
			},
			want: "no queue multisaude-commerce-order-expire-dead.fifo"},
		{name: "an unknown variable", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "        MULTISAUDE_PROFILE: aws\n", "        MULTISAUDE_PROFILE: aws\n        MULTISAUDE_S3_BUKET: typo\n", 1)
			},
			want: "sets MULTISAUDE_S3_BUKET, which is not a wire.Config variable"},
		{name: "a required variable missing", mode: "ecs",
			edit: func(s string) string {
				return strings.Replace(s, "            - { Name: MULTISAUDE_SES_FROM, Value: !Ref SesFrom }\n", "", 1)
			},
			want: "MULTISAUDE_SES_FROM is required for the aws profile"},
		{name: "the database unencrypted", mode: "ecs",
			edit: func(s string) string {
				return strings.Replace(s, "StorageEncrypted: true", "StorageEncrypted: false", 1)
			},
			want: "storage not encrypted"},
		{name: "the database public", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "PubliclyAccessible: false", "PubliclyAccessible: true", 1)
			},
			want: "is publicly accessible"},
		{name: "versioning suspended", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "Status: Enabled\n      PublicAccessBlock", "Status: Suspended\n      PublicAccessBlock", 1)
			},
			want: "versioning is not enabled"},
		{name: "no TLS-only bucket policy", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, `Bool: { "aws:SecureTransport": "false" }`, `Bool: { "aws:SecureTransport": "true" }`, 1)
			},
			want: "no bucket policy denies requests without TLS"},
		{name: "a whole batch retried", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "      FunctionResponseTypes: [ReportBatchItemFailures]\n", "", 1)
			},
			want: "lacks FunctionResponseTypes ReportBatchItemFailures"},
		{name: "the handler renamed", mode: "lambda",
			edit: func(s string) string { return strings.Replace(s, "    Handler: bootstrap\n", "    Handler: main\n", 1) },
			want: `Handler "main", but the Makefile writes $(ARTIFACTS_DIR)/bootstrap`},
		{name: "an x86 binary for arm64 functions", mode: "lambda",
			editMake: func(s string) string { return strings.Replace(s, "GOARCH=arm64", "GOARCH=amd64", 1) },
			want:     "but the Makefile builds GOARCH=amd64 (x86_64)"},
		{name: "the scheduler may send anywhere", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "                  - !GetAtt ConsentAuditDigestQueue.Arn\n", "                  - !GetAtt ConsentAuditDigestQueue.Arn\n                  - !GetAtt SchedulingAppointmentBookedQueue.Arn\n", 1)
			},
			want: "want exactly the scheduled topics' queues"},
		{name: "a dead-letter queue without an alarm", mode: "lambda",
			edit: func(s string) string {
				return cut(s, "  ClinicalEvaluationSignedDeadAlarm:\n", "  ClinicalEvaluationSignedAgeAlarm:")
			},
			want: "no alarm when dead-letter queue multisaude-clinical-evaluation-signed-dead.fifo holds a message"},
		{name: "a pool stricter than the API", mode: "lambda",
			edit: func(s string) string { return strings.Replace(s, "RequireNumbers: false", "RequireNumbers: true", 1) },
			want: "password policy is stricter than the application's"},
		{name: "key rotation off", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "EnableKeyRotation: true", "EnableKeyRotation: false", 1)
			},
			want: "automatic rotation is off"},
		{name: "a log group unencrypted", mode: "lambda",
			edit: func(s string) string {
				return strings.Replace(s, "      RetentionInDays: 30\n      KmsKeyId: !GetAtt LogsKey.Arn\n", "      RetentionInDays: 30\n", 1)
			},
			want: "log group TickLogs is not encrypted"},
		{name: "a task in a public subnet", mode: "ecs",
			edit: func(s string) string {
				return strings.Replace(s, "          AssignPublicIp: DISABLED\n          Subnets: [!Ref PrivateSubnetA", "          AssignPublicIp: DISABLED\n          Subnets: [!Ref PublicSubnetA", 1)
			},
			want: "subnet ${PublicSubnetA} is not private"},
	} {
		t.Run(c.name, func(t *testing.T) {
			broken, mk := src, makefile
			if c.edit != nil {
				broken = c.edit(src)
			}
			if c.editMake != nil {
				mk = c.editMake(makefile)
			}
			if broken == src && mk == makefile {
				t.Fatal("the edit changed nothing: the template no longer has what it looks for")
			}
			s, err := parse([]byte(broken), modes[c.mode])
			if err != nil {
				t.Fatal(err)
			}
			problems := check(t, s, mk)
			for _, pr := range problems {
				if strings.Contains(pr, c.want) {
					return
				}
			}
			t.Errorf("no problem mentions %q; got %d:\n%s", c.want, len(problems), strings.Join(problems, "\n"))
		})
	}
}
