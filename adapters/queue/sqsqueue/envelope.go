package sqsqueue

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/multisaude/multisaude/ports"
)

// envelope carries a whole ports.Message in an SQS body, for senders that can
// set only the body (EventBridge Scheduler's SQS target).
type envelope struct {
	Envelope int               `json:"multisaude_envelope"` // 1
	ID       string            `json:"id"`
	Topic    string            `json:"topic"`
	Key      string            `json:"key,omitempty"`
	Headers  map[string]string `json:"headers,omitempty"`
	Body     []byte            `json:"body"` // base64 in JSON
}

// Envelope encodes m as a message body that Consume unwraps into m again.
func Envelope(m ports.Message) (string, error) {
	if err := ports.CheckMessage(m); err != nil {
		return "", err
	}
	b, err := json.Marshal(envelope{Envelope: 1, ID: m.ID, Topic: m.Topic, Key: m.Key, Headers: m.Headers, Body: m.Body})
	return string(b), err
}

// unwrap returns the message inside body when body is an envelope.
func unwrap(body string) (envelope, bool) {
	var e envelope
	if len(body) == 0 || body[0] != '{' || json.Unmarshal([]byte(body), &e) != nil || e.Envelope != 1 || e.ID == "" {
		return envelope{}, false
	}
	return e, true
}

// Target returns the ARN of topic's queue, creating the queue as Publish would,
// and whether the queue is FIFO (its sender must then give a MessageGroupId).
func (q *Queue) Target(ctx context.Context, topic string) (arn string, fifo bool, err error) {
	if err := ports.CheckTopic(topic); err != nil {
		return "", false, err
	}
	u, err := q.url(ctx, topic)
	if err != nil {
		return "", false, err
	}
	out, err := q.client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(u), AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameQueueArn}})
	if err != nil {
		return "", false, translate(err, "read queue ARN")
	}
	return out.Attributes["QueueArn"], !q.cfg.Standard, nil
}
