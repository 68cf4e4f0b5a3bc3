package sqsqueue

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/multisaude/multisaude/core/kernel"
	"github.com/multisaude/multisaude/ports"
)

// Message attributes carrying the port's fields; SQS allows ten per message.
const (
	attrID       = "ms-id"
	attrTopic    = "ms-topic"
	attrKey      = "ms-key"
	attrHeaders  = "ms-headers"
	attrEncoding = "ms-body-encoding" // "base64" when the body is not text SQS accepts
	maxBatchSize = 256 << 10
)

// Publish sends the messages, in batches of up to ten per topic, and returns
// once SQS has stored all of them.
func (q *Queue) Publish(ctx context.Context, msgs ...ports.Message) error {
	for i, m := range msgs {
		if err := ports.CheckMessage(m); err != nil {
			return prefixFields(err, fmt.Sprintf("msgs[%d].", i))
		}
		if len(m.Body) > 192<<10 {
			return kernel.Invalid(fmt.Sprintf("msgs[%d].body", i), "is larger than 192 KiB")
		}
	}
	// Group by topic, keeping publish order within each.
	var topics []string
	byTopic := map[string][]ports.Message{}
	for _, m := range msgs {
		if _, ok := byTopic[m.Topic]; !ok {
			topics = append(topics, m.Topic)
		}
		byTopic[m.Topic] = append(byTopic[m.Topic], m)
	}
	for _, topic := range topics {
		if !q.hasReader(topic) {
			q.log.DebugContext(ctx, "no queue for this topic: nobody consumes it; messages dropped", "topic", topic, "count", len(byTopic[topic]))
			continue
		}
		u, err := q.url(ctx, topic)
		if err != nil {
			return err
		}
		var batch []types.SendMessageBatchRequestEntry
		size := 0
		for _, m := range byTopic[topic] {
			e := q.entry(m, len(batch))
			n := entrySize(e)
			if len(batch) == 10 || len(batch) > 0 && size+n > maxBatchSize {
				if err := q.sendBatch(ctx, u, batch); err != nil {
					return err
				}
				batch, size = nil, 0
				e = q.entry(m, 0)
			}
			batch = append(batch, e)
			size += n
		}
		if len(batch) > 0 {
			if err := q.sendBatch(ctx, u, batch); err != nil {
				return err
			}
		}
	}
	return nil
}

func (q *Queue) entry(m ports.Message, i int) types.SendMessageBatchRequestEntry {
	body, enc := encodeBody(m.Body)
	attrs := map[string]types.MessageAttributeValue{
		attrID:    {DataType: aws.String("String"), StringValue: aws.String(m.ID)},
		attrTopic: {DataType: aws.String("String"), StringValue: aws.String(m.Topic)},
	}
	if m.Key != "" {
		attrs[attrKey] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(m.Key)}
	}
	if len(m.Headers) > 0 {
		h, _ := json.Marshal(m.Headers)
		attrs[attrHeaders] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(string(h))}
	}
	if enc != "" {
		attrs[attrEncoding] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(enc)}
	}
	e := types.SendMessageBatchRequestEntry{
		Id:                aws.String("m" + strconv.Itoa(i)),
		MessageBody:       aws.String(body),
		MessageAttributes: attrs,
	}
	if !q.cfg.Standard {
		group := m.Key
		if group == "" {
			group = m.ID // no ordering asked for: one group per message
		}
		e.MessageGroupId = aws.String(group)
		e.MessageDeduplicationId = aws.String(m.ID)
	}
	return e
}

func entrySize(e types.SendMessageBatchRequestEntry) int {
	n := len(aws.ToString(e.MessageBody))
	for k, v := range e.MessageAttributes {
		n += len(k) + len(aws.ToString(v.DataType)) + len(aws.ToString(v.StringValue))
	}
	return n
}

func (q *Queue) sendBatch(ctx context.Context, url string, entries []types.SendMessageBatchRequestEntry) error {
	for attempt := 0; ; attempt++ {
		out, err := q.client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(url), Entries: entries})
		if err != nil {
			return translate(err, "send batch")
		}
		if len(out.Failed) == 0 {
			return nil
		}
		retry := entries[:0:0]
		for _, f := range out.Failed {
			if f.SenderFault {
				return kernel.Internal(fmt.Errorf("%s: %s", aws.ToString(f.Code), aws.ToString(f.Message)), "sqsqueue: message refused")
			}
			for _, e := range entries {
				if aws.ToString(e.Id) == aws.ToString(f.Id) {
					retry = append(retry, e)
				}
			}
		}
		if attempt == 2 {
			return kernel.Unavailable(fmt.Errorf("%s", aws.ToString(out.Failed[0].Message)), "sqsqueue: %d messages not stored", len(out.Failed))
		}
		entries = retry
	}
}

// encodeBody returns the body as SQS text, base64-encoding it (and saying so)
// when it holds bytes SQS refuses or is empty (SQS refuses empty bodies).
func encodeBody(b []byte) (string, string) {
	if len(b) > 0 && utf8.Valid(b) {
		ok := true
		for _, r := range string(b) {
			if !(r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000) {
				ok = false
				break
			}
		}
		if ok {
			return string(b), ""
		}
	}
	if len(b) == 0 {
		return "-", "empty"
	}
	return base64.StdEncoding.EncodeToString(b), "base64"
}

func decodeBody(s, enc string) ([]byte, error) {
	switch enc {
	case "":
		return []byte(s), nil
	case "empty":
		return []byte{}, nil
	case "base64":
		return base64.StdEncoding.DecodeString(s)
	}
	return nil, fmt.Errorf("unknown body encoding %q", enc)
}

// prefixFields renames the field errors of a kernel error ("topic" -> "msgs[2].topic").
func prefixFields(err error, prefix string) error {
	e, ok := err.(*kernel.Error)
	if !ok {
		return err
	}
	var p kernel.Problems
	for _, f := range e.Fields {
		p.Add(prefix+f.Field, "%s", f.Message)
	}
	if p.Empty() {
		return err
	}
	return p.Err()
}

// hasReader reports whether topic's messages have a queue to go to: always,
// unless the deployment listed its queues' topics (Config.Topics).
func (q *Queue) hasReader(topic string) bool {
	return !q.cfg.RequireExisting || len(q.cfg.Topics) == 0 || slices.Contains(q.cfg.Topics, topic)
}
