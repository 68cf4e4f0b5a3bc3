package sqsfake_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/multisaude/multisaude/test/fakes/sqsfake"
)

func client(fake *sqsfake.Server) *sqs.Client {
	return sqs.New(sqs.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(fake.URL()),
		Credentials:  aws.AnonymousCredentials{},
	})
}

func TestProtocol(t *testing.T) {
	fake := sqsfake.New()
	defer fake.Close()
	c := client(fake)
	ctx := context.Background()

	_, err := c.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("absent")})
	var nx *types.QueueDoesNotExist
	if !errors.As(err, &nx) {
		t.Fatalf("GetQueueUrl of a missing queue: %v", err)
	}
	q, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("q1"), Attributes: map[string]string{"VisibilityTimeout": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	var entries []types.SendMessageBatchRequestEntry
	for i := range 11 {
		entries = append(entries, types.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String("x")})
	}
	_, err = c.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: q.QueueUrl, Entries: entries})
	var tooMany *types.TooManyEntriesInBatchRequest
	if !errors.As(err, &tooMany) {
		t.Fatalf("11 entries: %v", err)
	}
	_, err = c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: q.QueueUrl, MessageBody: aws.String("hello"),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"a": {DataType: aws.String("String"), StringValue: aws.String("1")},
			"b": {DataType: aws.String("Binary"), BinaryValue: []byte{1, 2}},
		}})
	if err != nil {
		t.Fatal(err)
	}
	// Long polling returns as soon as a message arrives.
	start := time.Now()
	r1, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 5,
		MessageAttributeNames: []string{"All"}, MessageSystemAttributeNames: []types.MessageSystemAttributeName{"All"}})
	if err != nil || len(r1.Messages) != 1 || time.Since(start) > time.Second {
		t.Fatalf("receive: %v %d", err, len(r1.Messages))
	}
	m := r1.Messages[0]
	if aws.ToString(m.Body) != "hello" || string(m.MessageAttributes["b"].BinaryValue) != "\x01\x02" || m.Attributes["ApproximateReceiveCount"] != "1" {
		t.Fatalf("message %+v", m)
	}
	// Invisible for the visibility timeout, then received again with a new handle.
	r2, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 0})
	if len(r2.Messages) != 0 {
		t.Fatal("received while invisible")
	}
	r3, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 3,
		MessageSystemAttributeNames: []types.MessageSystemAttributeName{"ApproximateReceiveCount"}})
	if err != nil || len(r3.Messages) != 1 || r3.Messages[0].Attributes["ApproximateReceiveCount"] != "2" {
		t.Fatalf("second receive: %v %+v", err, r3.Messages)
	}
	// The old handle no longer deletes; the new one does.
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if fake.Count("q1") != 1 {
		t.Fatal("a stale receipt handle deleted the message")
	}
	if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: r3.Messages[0].ReceiptHandle}); err != nil {
		t.Fatal(err)
	}
	if fake.Count("q1") != 0 {
		t.Fatal("not deleted")
	}
	_, err = c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: q.QueueUrl, ReceiptHandle: aws.String("garbage")})
	var bad *types.ReceiptHandleIsInvalid
	if !errors.As(err, &bad) {
		t.Fatalf("garbage handle: %v", err)
	}
}

func TestRedriveAndDeliver(t *testing.T) {
	fake := sqsfake.New()
	defer fake.Close()
	c := client(fake)
	ctx := context.Background()
	dlq, _ := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("dlq")})
	q, _ := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String("main")})
	_, err := c.SetQueueAttributes(ctx, &sqs.SetQueueAttributesInput{QueueUrl: q.QueueUrl, Attributes: map[string]string{
		"RedrivePolicy": `{"deadLetterTargetArn":"` + sqsfake.QueueARN("dlq") + `","maxReceiveCount":2}`}})
	if err != nil {
		t.Fatal(err)
	}
	if err := fake.Deliver(sqsfake.QueueARN("main"), "payload", ""); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		r, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 1})
		if len(r.Messages) != 1 {
			t.Fatalf("receive %d: none", i+1)
		}
		if _, err := c.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: q.QueueUrl, ReceiptHandle: r.Messages[0].ReceiptHandle, VisibilityTimeout: 0}); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: q.QueueUrl, WaitTimeSeconds: 0})
	if len(r.Messages) != 0 {
		t.Fatal("third receive should have moved the message to the DLQ")
	}
	d, _ := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: dlq.QueueUrl, WaitTimeSeconds: 1})
	if len(d.Messages) != 1 || aws.ToString(d.Messages[0].Body) != "payload" {
		t.Fatalf("dlq: %+v", d.Messages)
	}
}
