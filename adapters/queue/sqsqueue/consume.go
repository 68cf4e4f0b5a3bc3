package sqsqueue

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/multisaude/multisaude/ports"
)

// Consume long-polls topic's queue and hands each message to h, one at a time.
// nil deletes the message; an error makes it visible again after RetryDelay, and
// SQS moves it to the dead-letter queue once received MaxAttempts times. When
// ctx ends during h, the message is left alone and comes back after the
// visibility timeout; messages received but not yet handled are released at once.
// While h runs, the message's visibility is extended every VisibilityTimeout/2.
func (q *Queue) Consume(ctx context.Context, topic string, h ports.Handler) error {
	if err := ports.CheckTopic(topic); err != nil {
		return err
	}
	u, err := q.url(ctx, topic)
	if err != nil {
		return err
	}
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		out, err := q.client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(u),
			MaxNumberOfMessages:         int32(q.cfg.BatchSize),
			WaitTimeSeconds:             int32(q.cfg.WaitTime / time.Second),
			MessageAttributeNames:       []string{"All"},
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameAll},
		})
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			q.log.WarnContext(ctx, "receive failed; retrying", "queue", q.QueueName(topic), "error", err.Error(), "backoff", backoff.String())
			select {
			case <-ctx.Done():
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 10*time.Second)
			continue
		}
		backoff = 100 * time.Millisecond
		received := time.Now()
		for i, m := range out.Messages {
			if ctx.Err() != nil || time.Since(received) > q.cfg.VisibilityTimeout*9/10 {
				// Stopped, or the rest of the batch is about to be visible to
				// others anyway: hand it back now rather than handle it twice.
				q.release(ctx, u, out.Messages[i:])
				break
			}
			q.handle(ctx, u, topic, m, h)
		}
	}
	return nil
}

func (q *Queue) handle(ctx context.Context, url, topic string, m types.Message, h ports.Handler) {
	d, err := delivery(topic, m)
	if err != nil {
		// Not ours to read: leave it to redrive into the dead-letter queue.
		q.log.ErrorContext(ctx, "undecodable message", "queue", q.QueueName(topic), "message_id", aws.ToString(m.MessageId), "error", err.Error())
		q.setVisibility(ctx, url, m.ReceiptHandle, q.cfg.RetryDelay)
		return
	}
	// Keep the message hidden while the handler works, however long it takes;
	// if the process dies, the lease lapses and the message comes back.
	stop := make(chan struct{})
	var beat sync.WaitGroup
	beat.Add(1)
	go func() {
		defer beat.Done()
		every := max(q.cfg.VisibilityTimeout/2, 100*time.Millisecond)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-t.C:
				q.setVisibility(ctx, url, m.ReceiptHandle, q.cfg.VisibilityTimeout)
			}
		}
	}()
	herr := h(ctx, d)
	close(stop)
	beat.Wait()
	if herr == nil {
		// Acknowledge even if ctx ended just now: the work is done.
		actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if _, err := q.client.DeleteMessage(actx, &sqs.DeleteMessageInput{QueueUrl: aws.String(url), ReceiptHandle: m.ReceiptHandle}); err != nil {
			q.log.WarnContext(ctx, "delete failed; the message will be delivered again", "queue", q.QueueName(topic), "message_id", d.ID, "error", err.Error())
		}
		return
	}
	if ctx.Err() != nil {
		return // a crash: neither ack nor nack
	}
	q.log.InfoContext(ctx, "handler failed; retrying later", "queue", q.QueueName(topic), "message_id", d.ID, "attempt", d.Attempt, "error", herr.Error())
	q.setVisibility(ctx, url, m.ReceiptHandle, q.cfg.RetryDelay)
}

func (q *Queue) setVisibility(ctx context.Context, url string, handle *string, d time.Duration) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := q.client.ChangeMessageVisibility(actx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(url), ReceiptHandle: handle, VisibilityTimeout: int32(math.Ceil(d.Seconds())),
	})
	if err != nil {
		q.log.WarnContext(ctx, "change visibility failed", "error", err.Error())
	}
}

func (q *Queue) release(ctx context.Context, url string, msgs []types.Message) {
	for _, m := range msgs {
		q.setVisibility(ctx, url, m.ReceiptHandle, 0)
	}
}

func delivery(topic string, m types.Message) (ports.Delivery, error) {
	attrs := make(map[string]string, len(m.MessageAttributes))
	for k, v := range m.MessageAttributes {
		if v.StringValue != nil {
			attrs[k] = *v.StringValue
		}
	}
	return Decode(topic, aws.ToString(m.MessageId), aws.ToString(m.Body), attrs,
		m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
}

// Decode turns one received SQS message of topic's queue into the delivery a
// handler sees, from plain values: its SQS message ID, its body, its string
// message attributes and its ApproximateReceiveCount. Consume uses it, and so
// does the Lambda worker, which gets the same message inside an SQS event.
// A message published by Publish carries its port fields in attributes; one
// sent by EventBridge Scheduler is an envelope (see Envelope); anything else
// gets the SQS message ID as its ID. The receive count is the Attempt (at
// least 1). It fails on an unknown body encoding, a body that is not the
// base64 it claims, or a headers attribute that is not a JSON object of strings.
func Decode(topic, messageID, body string, attrs map[string]string, receiveCount string) (ports.Delivery, error) {
	raw, err := decodeBody(body, attrs[attrEncoding])
	if err != nil {
		return ports.Delivery{}, err
	}
	d := ports.Delivery{Message: ports.Message{
		ID:    attrs[attrID],
		Topic: topic,
		Key:   attrs[attrKey],
		Body:  raw,
	}}
	if d.ID == "" {
		if e, ok := unwrap(body); ok { // from the scheduler
			d.ID, d.Key, d.Headers, d.Body = e.ID, e.Key, e.Headers, e.Body
			if d.Body == nil {
				d.Body = []byte{}
			}
		} else {
			d.ID = messageID // sent by something else (the console, say)
		}
	}
	if h := attrs[attrHeaders]; h != "" {
		if err := json.Unmarshal([]byte(h), &d.Headers); err != nil {
			return ports.Delivery{}, err
		}
	}
	d.Attempt, _ = strconv.Atoi(receiveCount)
	if d.Attempt < 1 {
		d.Attempt = 1
	}
	return d, nil
}
