package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLambdaBuildLeavesOut: the Lambda build (-tags lambda) holds neither the
// local and onprem profiles nor the development servers, the demo or the
// in-memory stores; the ordinary build has those it has always had.
func TestLambdaBuildLeavesOut(t *testing.T) {
	const mod = "github.com/multisaude/multisaude/"
	deps := func(tags ...string) map[string]bool {
		args := append([]string{"list", "-deps"}, tags...)
		out, err := exec.Command("go", append(args, ".")...).CombinedOutput()
		if err != nil {
			t.Fatalf("go %v: %v\n%s", args, err, out)
		}
		m := map[string]bool{}
		for _, p := range strings.Fields(string(out)) {
			m[strings.TrimPrefix(p, mod)] = true
		}
		return m
	}
	full, slim := deps(), deps("-tags", "lambda")
	for _, p := range []string{"wire/local", "wire/onprem", "adapters/blob/devs3"} {
		if !full[p] {
			t.Errorf("%s is not in the ordinary build: the check below proves nothing for it", p)
		}
		if slim[p] {
			t.Errorf("%s is in the Lambda build", p)
		}
	}
	for _, p := range []string{"adapters/blob/memblob"} { // in neither build, and must not come in with this one
		if slim[p] {
			t.Errorf("%s is in the Lambda build", p)
		}
	}
	for _, p := range []string{"wire/awslambda", "wire/aws", "adapters/queue/sqsqueue", "github.com/aws/aws-lambda-go/lambda"} {
		if !slim[p] {
			t.Errorf("%s is missing from the Lambda build", p)
		}
	}
}
