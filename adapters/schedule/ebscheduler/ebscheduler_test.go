package ebscheduler_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"

	"github.com/multisaude/multisaude/adapters/queue/sqsqueue"
	"github.com/multisaude/multisaude/adapters/schedule/ebscheduler"
	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
	"github.com/multisaude/multisaude/test/conformance"
	"github.com/multisaude/multisaude/test/fakes/schedulerfake"
	"github.com/multisaude/multisaude/test/fakes/sqsfake"
)

type env struct {
	sched *ebscheduler.Scheduler
	queue *sqsqueue.Queue
	sqs   *sqsfake.Server
	eb    *schedulerfake.Server
}

func newEnv(t *testing.T, standard bool) env {
	t.Helper()
	ctx := context.Background()
	sqs := sqsfake.New()
	eb := schedulerfake.New(sqs)
	t.Cleanup(func() { eb.Close(); sqs.Close() })
	q, qclean, err := sqsqueue.New(ctx, sqsqueue.Config{
		Region: "us-east-1", Endpoint: sqs.URL(), AccessKeyID: "test", SecretAccessKey: "test",
		WaitTime: time.Second, Standard: standard, QueueOptions: conformance.QueueSuiteOptions,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(qclean)
	s, sclean, err := ebscheduler.New(ctx, ebscheduler.Config{
		Region: "us-east-1", Endpoint: eb.URL(), AccessKeyID: "test", SecretAccessKey: "test",
		RoleARN: "arn:aws:iam::000000000000:role/multisaude-scheduler",
	}, q)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sclean)
	return env{s, q, sqs, eb}
}

func TestConformance(t *testing.T) {
	conformance.RunScheduler(t, func(t *testing.T) (ports.Scheduler, ports.Queue, func()) {
		e := newEnv(t, false)
		return e.sched, e.queue, nil
	})
}

func TestConformanceStandardQueues(t *testing.T) {
	conformance.RunScheduler(t, func(t *testing.T) (ports.Scheduler, ports.Queue, func()) {
		e := newEnv(t, true)
		return e.sched, e.queue, nil
	})
}

func TestScheduleShape(t *testing.T) {
	e := newEnv(t, false)
	ctx := context.Background()
	at := time.Now().Add(time.Hour).Truncate(time.Second).Add(300 * time.Millisecond)
	j := ports.Job{ID: "reminder:appt/1", At: at, Msg: ports.Message{ID: kernel.NewID(), Topic: "scheduling.reminder", Key: "appt-1", Body: []byte(`{"a":1}`)}}
	if err := e.sched.Schedule(ctx, j); err != nil {
		t.Fatal(err)
	}
	name := ebscheduler.ScheduleName(j.ID)
	if !strings.HasPrefix(name, "job-") || len(name) > 64 {
		t.Fatalf("name %q", name)
	}
	c := scheduler.New(scheduler.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.eb.URL()), Credentials: aws.AnonymousCredentials{}})
	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	want := "at(" + at.UTC().Truncate(time.Second).Add(time.Second).Format("2006-01-02T15:04:05") + ")"
	if aws.ToString(got.ScheduleExpression) != want {
		t.Errorf("expression %s, want %s (rounded up)", aws.ToString(got.ScheduleExpression), want)
	}
	if got.ActionAfterCompletion != "DELETE" || aws.ToString(got.ScheduleExpressionTimezone) != "UTC" {
		t.Errorf("action %s tz %s", got.ActionAfterCompletion, aws.ToString(got.ScheduleExpressionTimezone))
	}
	if got.Target == nil || !strings.HasSuffix(aws.ToString(got.Target.Arn), ":multisaude-scheduling-reminder.fifo") ||
		got.Target.SqsParameters == nil || aws.ToString(got.Target.SqsParameters.MessageGroupId) != "appt-1" ||
		aws.ToString(got.Target.RoleArn) != "arn:aws:iam::000000000000:role/multisaude-scheduler" {
		t.Errorf("target %+v", got.Target)
	}
	if err := e.sched.Cancel(ctx, j.ID); err != nil {
		t.Fatal(err)
	}
	if e.eb.Len() != 0 {
		t.Fatal("schedule not deleted")
	}
	if err := e.sched.Cancel(ctx, j.ID); kernel.KindOf(err) != kernel.KindNotFound {
		t.Fatalf("cancel twice: %v", err)
	}
	big := j
	big.Msg.Body = []byte(strings.Repeat("x", 9000))
	err = e.sched.Schedule(ctx, big)
	if ke, ok := err.(*kernel.Error); !ok || ke.Kind != kernel.KindInvalid || ke.Fields[0].Field != "msg.body" {
		t.Fatalf("big body: %v", err)
	}
	noMsgID := j
	noMsgID.Msg.ID = ""
	err = e.sched.Schedule(ctx, noMsgID)
	if ke, ok := err.(*kernel.Error); !ok || ke.Kind != kernel.KindInvalid || ke.Fields[0].Field != "msg.id" {
		t.Fatalf("no message ID: %v", err)
	}
}

func TestConfig(t *testing.T) {
	_, _, err := ebscheduler.New(context.Background(), ebscheduler.Config{GroupName: "bad group"}, nil)
	ke, ok := err.(*kernel.Error)
	if !ok || ke.Kind != kernel.KindInvalid || len(ke.Fields) != 3 {
		t.Fatalf("err %v", err)
	}
}
