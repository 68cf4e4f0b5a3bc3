// Package sqsfake is an in-process Amazon SQS server speaking the JSON protocol
// (X-Amz-Target: AmazonSQS.*) that the current aws-sdk-go-v2 uses, so the
// sqsqueue adapter's real requests are exercised in tests. It keeps queues in
// memory and implements what the adapter relies on: long polling, visibility
// timeouts, receive counts, redrive to a dead-letter queue after
// maxReceiveCount, message attributes with their MD5, batches, delays, and
// FIFO queues (message groups delivered in order, one in-flight batch per group,
// de-duplication).
package sqsfake

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Account and Region appear in queue URLs and ARNs.
const (
	Account = "000000000000"
	Region  = "us-east-1"
)

// Server is the fake. The zero value is not usable; call New or NewHandler.
type Server struct {
	mu      sync.Mutex
	queues  map[string]*queue // by name
	changed chan struct{}     // closed and replaced whenever a queue changes
	seq     int64
	srv     *httptest.Server
	baseURL string
}

type queue struct {
	name     string
	attrs    map[string]string
	created  time.Time
	msgs     []*message
	dedup    map[string]dedupEntry // FIFO de-duplication IDs seen in the last 5 minutes
	fifo     bool
	inFlight map[string]*message // receipt handle -> message
}

type dedupEntry struct {
	id  string
	seq string
	at  time.Time
}

type message struct {
	id, body, bodyMD5   string
	attrs               map[string]attrValue
	attrsMD5            string
	group, dedupID, seq string
	sent, firstReceive  time.Time
	visibleAt           time.Time
	receiveCount        int
	handle              string // latest receipt handle
	receivedOnce        bool
}

type attrValue struct {
	DataType    string `json:"DataType"`
	StringValue string `json:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty"`
}

// New starts the fake on a local port; Close stops it.
func New() *Server {
	s := NewHandler("")
	s.srv = httptest.NewServer(s)
	s.baseURL = s.srv.URL
	return s
}

// NewHandler returns the fake as an http.Handler without starting a server;
// baseURL is the prefix of the queue URLs it hands out.
func NewHandler(baseURL string) *Server {
	return &Server{queues: map[string]*queue{}, changed: make(chan struct{}), baseURL: baseURL}
}

// URL is the endpoint to give the SDK (BaseEndpoint).
func (s *Server) URL() string { return s.baseURL }

// Close stops the server started by New.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// QueueARN returns the ARN of the named queue (whether or not it exists).
func QueueARN(name string) string { return "arn:aws:sqs:" + Region + ":" + Account + ":" + name }

// Deliver enqueues body on the queue with the given ARN, as an AWS service
// (EventBridge Scheduler) would. groupID is required for FIFO queues, which
// must also have ContentBasedDeduplication set.
func (s *Server) Deliver(queueARN, body, groupID string) error {
	name := queueARN[strings.LastIndexByte(queueARN, ':')+1:]
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[name]
	if !ok {
		return fmt.Errorf("sqsfake: no queue %s", queueARN)
	}
	// Like AWS services sending to SQS, Deliver gives no deduplication ID: a
	// FIFO queue must have content-based deduplication on.
	in := sendEntry{MessageBody: body, MessageGroupId: groupID}
	if _, e := s.send(q, in, time.Now()); e != nil {
		return e
	}
	return nil
}

// Count returns how many messages the named queue holds (visible or not); -1 if it does not exist.
func (s *Server) Count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, ok := s.queues[name]
	if !ok {
		return -1
	}
	return len(q.msgs)
}

// apiError is an SQS error answer.
type apiError struct {
	status int
	typ    string // e.g. QueueDoesNotExist
	query  string // the old query-protocol code, sent in x-amzn-query-error
	msg    string
}

func (e *apiError) Error() string { return e.typ + ": " + e.msg }

func errInvalid(format string, a ...any) *apiError {
	return &apiError{400, "InvalidParameterValue", "InvalidParameterValue", fmt.Sprintf(format, a...)}
}

func errMissing(name string) *apiError {
	return &apiError{400, "MissingParameter", "MissingParameter", "The request must contain the parameter " + name + "."}
}

var errNoQueue = &apiError{400, "QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist."}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "AmazonSQS.")
	if r.Method != http.MethodPost || !ok {
		writeErr(w, &apiError{400, "UnknownOperationException", "InvalidAction", "missing or unknown X-Amz-Target " + target})
		return
	}
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeErr(w, &apiError{400, "SerializationException", "MalformedInput", err.Error()})
		return
	}
	raw, _ := json.Marshal(body)
	var (
		out any
		err *apiError
	)
	switch op {
	case "CreateQueue":
		out, err = s.createQueue(raw)
	case "GetQueueUrl":
		out, err = s.getQueueURL(raw)
	case "DeleteQueue":
		out, err = s.deleteQueue(raw)
	case "PurgeQueue":
		out, err = s.purgeQueue(raw)
	case "ListQueues":
		out, err = s.listQueues(raw)
	case "GetQueueAttributes":
		out, err = s.getQueueAttributes(raw)
	case "SetQueueAttributes":
		out, err = s.setQueueAttributes(raw)
	case "SendMessage":
		out, err = s.sendMessage(raw)
	case "SendMessageBatch":
		out, err = s.sendMessageBatch(raw)
	case "ReceiveMessage":
		out, err = s.receiveMessage(r, raw)
	case "DeleteMessage":
		out, err = s.deleteMessage(raw)
	case "DeleteMessageBatch":
		out, err = s.deleteMessageBatch(raw)
	case "ChangeMessageVisibility":
		out, err = s.changeVisibility(raw)
	default:
		err = &apiError{400, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation", op + " is not implemented by sqsfake"}
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

func writeErr(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("x-amzn-query-error", e.query+";Sender")
	w.WriteHeader(e.status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + e.typ, "message": e.msg})
}

func decode(raw []byte, v any) *apiError {
	if err := json.Unmarshal(raw, v); err != nil {
		return &apiError{400, "SerializationException", "MalformedInput", err.Error()}
	}
	return nil
}

// notify wakes long polls; s.mu is held.
func (s *Server) notify() {
	close(s.changed)
	s.changed = make(chan struct{})
}

func (s *Server) queueURL(name string) string { return s.baseURL + "/" + Account + "/" + name }

// queueByURL finds a queue from its URL (only the last path segment counts); s.mu is held.
func (s *Server) queueByURL(u string) (*queue, *apiError) {
	if u == "" {
		return nil, errMissing("QueueUrl")
	}
	q, ok := s.queues[u[strings.LastIndexByte(u, '/')+1:]]
	if !ok {
		return nil, errNoQueue
	}
	return q, nil
}

var settable = map[string]bool{
	"DelaySeconds": true, "MaximumMessageSize": true, "MessageRetentionPeriod": true, "Policy": true,
	"ReceiveMessageWaitTimeSeconds": true, "VisibilityTimeout": true, "RedrivePolicy": true,
	"RedriveAllowPolicy": true, "KmsMasterKeyId": true, "KmsDataKeyReusePeriodSeconds": true,
	"SqsManagedSseEnabled": true, "FifoQueue": true, "ContentBasedDeduplication": true,
	"DeduplicationScope": true, "FifoThroughputLimit": true,
}

func checkAttrs(attrs map[string]string) *apiError {
	for k, v := range attrs {
		if !settable[k] {
			return &apiError{400, "InvalidAttributeName", "InvalidAttributeName", "Unknown Attribute " + k + "."}
		}
		switch k {
		case "VisibilityTimeout", "DelaySeconds", "ReceiveMessageWaitTimeSeconds", "MessageRetentionPeriod", "MaximumMessageSize":
			if _, err := strconv.Atoi(v); err != nil {
				return &apiError{400, "InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter " + k + "."}
			}
		case "RedrivePolicy":
			if v == "" {
				continue
			}
			var rp redrivePolicy
			if err := json.Unmarshal([]byte(v), &rp); err != nil || rp.DeadLetterTargetArn == "" || rp.max() < 1 {
				return &apiError{400, "InvalidAttributeValue", "InvalidAttributeValue", "Invalid value for the parameter RedrivePolicy."}
			}
		}
	}
	return nil
}

type redrivePolicy struct {
	DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
	MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"` // a number or a string holding one
}

func (r redrivePolicy) max() int {
	n, err := strconv.Atoi(strings.Trim(string(r.MaxReceiveCount), `"`))
	if err != nil {
		return 0
	}
	return n
}

func (s *Server) createQueue(raw []byte) (any, *apiError) {
	var in struct {
		QueueName  string
		Attributes map[string]string
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	if in.QueueName == "" {
		return nil, errMissing("QueueName")
	}
	name := in.QueueName
	fifo := in.Attributes["FifoQueue"] == "true"
	valid := len(name) <= 80
	for i, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || fifo && c == '.' && i == len(name)-5) {
			valid = false
		}
	}
	if !valid || fifo != strings.HasSuffix(name, ".fifo") {
		return nil, errInvalid("Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length; FIFO queue names end in .fifo.")
	}
	if e := checkAttrs(in.Attributes); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if q, ok := s.queues[name]; ok {
		for k, v := range in.Attributes {
			if q.attrs[k] != v {
				return nil, &apiError{400, "QueueNameExists", "QueueAlreadyExists", "A queue already exists with the same name and a different value for attribute " + k + "."}
			}
		}
		return map[string]string{"QueueUrl": s.queueURL(name)}, nil
	}
	q := &queue{name: name, attrs: map[string]string{
		"VisibilityTimeout": "30", "DelaySeconds": "0", "ReceiveMessageWaitTimeSeconds": "0",
		"MessageRetentionPeriod": "345600", "MaximumMessageSize": "262144",
	}, created: time.Now(), fifo: fifo, dedup: map[string]dedupEntry{}, inFlight: map[string]*message{}}
	for k, v := range in.Attributes {
		q.attrs[k] = v
	}
	s.queues[name] = q
	return map[string]string{"QueueUrl": s.queueURL(name)}, nil
}

func (s *Server) getQueueURL(raw []byte) (any, *apiError) {
	var in struct{ QueueName string }
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.queues[in.QueueName]; !ok {
		return nil, errNoQueue
	}
	return map[string]string{"QueueUrl": s.queueURL(in.QueueName)}, nil
}

func (s *Server) deleteQueue(raw []byte) (any, *apiError) {
	var in struct{ QueueUrl string }
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	delete(s.queues, q.name)
	s.notify()
	return struct{}{}, nil
}

func (s *Server) purgeQueue(raw []byte) (any, *apiError) {
	var in struct{ QueueUrl string }
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	q.msgs = nil
	q.inFlight = map[string]*message{}
	return struct{}{}, nil
}

func (s *Server) listQueues(raw []byte) (any, *apiError) {
	var in struct{ QueueNamePrefix string }
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	urls := []string{}
	for name := range s.queues {
		if strings.HasPrefix(name, in.QueueNamePrefix) {
			urls = append(urls, s.queueURL(name))
		}
	}
	sort.Strings(urls)
	return map[string][]string{"QueueUrls": urls}, nil
}

func (s *Server) getQueueAttributes(raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl       string
		AttributeNames []string
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	now := time.Now()
	all := map[string]string{}
	for k, v := range q.attrs {
		all[k] = v
	}
	var visible, notVisible, delayed int
	for _, m := range q.msgs {
		switch {
		case !m.visibleAt.After(now):
			visible++
		case m.receivedOnce:
			notVisible++
		default:
			delayed++
		}
	}
	all["QueueArn"] = QueueARN(q.name)
	all["ApproximateNumberOfMessages"] = strconv.Itoa(visible)
	all["ApproximateNumberOfMessagesNotVisible"] = strconv.Itoa(notVisible)
	all["ApproximateNumberOfMessagesDelayed"] = strconv.Itoa(delayed)
	all["CreatedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	all["LastModifiedTimestamp"] = strconv.FormatInt(q.created.Unix(), 10)
	out := map[string]string{}
	for _, n := range in.AttributeNames {
		if n == "All" {
			out = all
			break
		}
		if v, ok := all[n]; ok {
			out[n] = v
		}
	}
	return map[string]any{"Attributes": out}, nil
}

func (s *Server) setQueueAttributes(raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl   string
		Attributes map[string]string
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	if e := checkAttrs(in.Attributes); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	for k, v := range in.Attributes {
		if k == "FifoQueue" && (v == "true") != q.fifo {
			return nil, errInvalid("FifoQueue cannot be changed")
		}
		q.attrs[k] = v
	}
	s.notify()
	return struct{}{}, nil
}

type sendEntry struct {
	Id                     string
	MessageBody            string
	DelaySeconds           *int
	MessageAttributes      map[string]attrValue
	MessageDeduplicationId string
	MessageGroupId         string
}

type sendResult struct {
	Id                     string `json:",omitempty"`
	MessageId              string
	MD5OfMessageBody       string
	MD5OfMessageAttributes string `json:",omitempty"`
	SequenceNumber         string `json:",omitempty"`
}

// send enqueues one message; s.mu is held.
func (s *Server) send(q *queue, in sendEntry, now time.Time) (sendResult, *apiError) {
	if in.MessageBody == "" {
		return sendResult{}, errMissing("MessageBody")
	}
	if len(in.MessageBody) > 262144 {
		return sendResult{}, errInvalid("One or more parameters are invalid. Reason: Message must be shorter than 262144 bytes.")
	}
	for name, a := range in.MessageAttributes {
		if name == "" || len(name) > 256 || !(strings.HasPrefix(a.DataType, "String") || strings.HasPrefix(a.DataType, "Number") || strings.HasPrefix(a.DataType, "Binary")) {
			return sendResult{}, errInvalid("The message attribute '%s' has an invalid data type or name.", name)
		}
	}
	if len(in.MessageAttributes) > 10 {
		return sendResult{}, errInvalid("Number of message attributes [%d] exceeds the allowed maximum [10].", len(in.MessageAttributes))
	}
	delay, _ := strconv.Atoi(q.attrs["DelaySeconds"])
	if in.DelaySeconds != nil {
		delay = *in.DelaySeconds
	}
	if delay < 0 || delay > 900 {
		return sendResult{}, errInvalid("Value %d for parameter DelaySeconds is invalid.", delay)
	}
	m := &message{
		id: newID(), body: in.MessageBody, bodyMD5: md5Hex([]byte(in.MessageBody)),
		attrs: in.MessageAttributes, attrsMD5: attrsMD5(in.MessageAttributes),
		sent: now, visibleAt: now.Add(time.Duration(delay) * time.Second),
	}
	if q.fifo {
		if in.MessageGroupId == "" {
			return sendResult{}, errMissing("MessageGroupId")
		}
		if in.DelaySeconds != nil && *in.DelaySeconds != 0 {
			return sendResult{}, errInvalid("Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", *in.DelaySeconds)
		}
		dedup := in.MessageDeduplicationId
		if dedup == "" {
			if q.attrs["ContentBasedDeduplication"] != "true" {
				return sendResult{}, errInvalid("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly")
			}
			sum := sha256.Sum256([]byte(in.MessageBody))
			dedup = hex.EncodeToString(sum[:])
		}
		for k, d := range q.dedup {
			if now.Sub(d.at) > 5*time.Minute {
				delete(q.dedup, k)
			}
		}
		if d, ok := q.dedup[dedup]; ok {
			return sendResult{Id: in.Id, MessageId: d.id, MD5OfMessageBody: m.bodyMD5, MD5OfMessageAttributes: m.attrsMD5, SequenceNumber: d.seq}, nil
		}
		s.seq++
		m.group, m.dedupID, m.seq = in.MessageGroupId, dedup, fmt.Sprintf("%020d", s.seq)
		q.dedup[dedup] = dedupEntry{id: m.id, seq: m.seq, at: now}
	} else if in.MessageGroupId != "" && in.MessageDeduplicationId != "" {
		return sendResult{}, errInvalid("The request include parameter that is not valid for this queue type")
	} else {
		m.group = in.MessageGroupId // standard queues accept a group ID (fair queues) and ignore ordering
	}
	q.msgs = append(q.msgs, m)
	s.notify()
	return sendResult{Id: in.Id, MessageId: m.id, MD5OfMessageBody: m.bodyMD5, MD5OfMessageAttributes: m.attrsMD5, SequenceNumber: m.seq}, nil
}

func (s *Server) sendMessage(raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl string
		sendEntry
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	res, e := s.send(q, in.sendEntry, time.Now())
	if e != nil {
		return nil, e
	}
	res.Id = ""
	return res, nil
}

type batchFailure struct {
	Id          string
	SenderFault bool
	Code        string
	Message     string
}

func checkBatch(ids []string) *apiError {
	if len(ids) == 0 {
		return &apiError{400, "EmptyBatchRequest", "AWS.SimpleQueueService.EmptyBatchRequest", "There should be at least one entry in the request."}
	}
	if len(ids) > 10 {
		return &apiError{400, "TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10."}
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if id == "" || len(id) > 80 {
			return &apiError{400, "InvalidBatchEntryId", "AWS.SimpleQueueService.InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores."}
		}
		if seen[id] {
			return &apiError{400, "BatchEntryIdsNotDistinct", "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", "Id " + id + " repeated."}
		}
		seen[id] = true
	}
	return nil
}

func (s *Server) sendMessageBatch(raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl string
		Entries  []sendEntry
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, en := range in.Entries {
		ids[i] = en.Id
		total += len(en.MessageBody)
	}
	if e := checkBatch(ids); e != nil {
		return nil, e
	}
	if total > 262144 {
		return nil, &apiError{400, "BatchRequestTooLong", "AWS.SimpleQueueService.BatchRequestTooLong", "Batch requests cannot be longer than 262144 bytes."}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	ok, failed := []sendResult{}, []batchFailure{}
	now := time.Now()
	for _, en := range in.Entries {
		res, e := s.send(q, en, now)
		if e != nil {
			failed = append(failed, batchFailure{Id: en.Id, SenderFault: true, Code: e.typ, Message: e.msg})
			continue
		}
		ok = append(ok, res)
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

type receivedMessage struct {
	MessageId              string
	ReceiptHandle          string
	MD5OfBody              string
	Body                   string
	Attributes             map[string]string    `json:",omitempty"`
	MD5OfMessageAttributes string               `json:",omitempty"`
	MessageAttributes      map[string]attrValue `json:",omitempty"`
}

func (s *Server) receiveMessage(r *http.Request, raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl                    string
		AttributeNames              []string
		MessageSystemAttributeNames []string
		MessageAttributeNames       []string
		MaxNumberOfMessages         *int
		VisibilityTimeout           *int
		WaitTimeSeconds             *int
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	max := 1
	if in.MaxNumberOfMessages != nil {
		max = *in.MaxNumberOfMessages
	}
	if max < 1 || max > 10 {
		return nil, errInvalid("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", max)
	}
	if in.WaitTimeSeconds != nil && (*in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20) {
		return nil, errInvalid("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
	}
	if in.VisibilityTimeout != nil && (*in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200) {
		return nil, errInvalid("Value %d for parameter VisibilityTimeout is invalid.", *in.VisibilityTimeout)
	}
	s.mu.Lock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		s.mu.Unlock()
		return nil, e
	}
	wait, _ := strconv.Atoi(q.attrs["ReceiveMessageWaitTimeSeconds"])
	if in.WaitTimeSeconds != nil {
		wait = *in.WaitTimeSeconds
	}
	deadline := time.Now().Add(time.Duration(wait) * time.Second)
	sysNames := append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...)
	for {
		msgs, e := s.receive(q, max, in.VisibilityTimeout, sysNames, in.MessageAttributeNames, time.Now())
		if e != nil || len(msgs) > 0 || !time.Now().Before(deadline) {
			s.mu.Unlock()
			if e != nil {
				return nil, e
			}
			return map[string]any{"Messages": msgs}, nil
		}
		changed := s.changed
		s.mu.Unlock()
		// Wake on a change, or every 50 ms for visibility timeouts and delays that end.
		select {
		case <-changed:
		case <-time.After(50 * time.Millisecond):
		case <-r.Context().Done():
			return map[string]any{"Messages": []receivedMessage{}}, nil
		}
		s.mu.Lock()
		if s.queues[q.name] != q {
			s.mu.Unlock()
			return nil, errNoQueue
		}
	}
}

// receive picks up to max visible messages, moving over-received ones to the
// dead-letter queue; s.mu is held.
func (s *Server) receive(q *queue, max int, vt *int, sysNames, attrNames []string, now time.Time) ([]receivedMessage, *apiError) {
	timeout, _ := strconv.Atoi(q.attrs["VisibilityTimeout"])
	if vt != nil {
		timeout = *vt
	}
	var rp redrivePolicy
	var dlq *queue
	if p := q.attrs["RedrivePolicy"]; p != "" && json.Unmarshal([]byte(p), &rp) == nil {
		dlq = s.queues[rp.DeadLetterTargetArn[strings.LastIndexByte(rp.DeadLetterTargetArn, ':')+1:]]
	}
	// FIFO: a group with a message in flight delivers nothing else until it is
	// deleted or visible again; groups are served in order of their oldest message.
	blocked := map[string]bool{}
	if q.fifo {
		for _, m := range q.msgs {
			if m.receivedOnce && m.visibleAt.After(now) {
				blocked[m.group] = true
			}
		}
	}
	out := []receivedMessage{}
	kept := q.msgs[:0:0]
	for _, m := range q.msgs {
		if len(out) == max || m.visibleAt.After(now) || q.fifo && blocked[m.group] {
			if q.fifo { // later messages of this group wait behind this one
				blocked[m.group] = true
			}
			kept = append(kept, m)
			continue
		}
		if dlq != nil && rp.max() > 0 && m.receiveCount >= rp.max() {
			delete(q.inFlight, m.handle)
			s.moveTo(dlq, m, now)
			continue
		}
		m.receiveCount++
		if !m.receivedOnce {
			m.receivedOnce, m.firstReceive = true, now
		}
		if m.handle != "" {
			delete(q.inFlight, m.handle)
		}
		m.handle = newID() + newID()
		q.inFlight[m.handle] = m
		m.visibleAt = now.Add(time.Duration(timeout) * time.Second)
		out = append(out, s.render(m, sysNames, attrNames))
		kept = append(kept, m)
	}
	q.msgs = kept
	return out, nil
}

// moveTo puts m on the dead-letter queue with its receive count kept; s.mu is held.
func (s *Server) moveTo(dlq *queue, m *message, now time.Time) {
	moved := *m
	moved.visibleAt = now
	moved.receivedOnce = false
	moved.handle = ""
	if dlq.fifo && moved.seq == "" {
		s.seq++
		moved.seq = fmt.Sprintf("%020d", s.seq)
	}
	dlq.msgs = append(dlq.msgs, &moved)
	s.notify()
}

func (s *Server) render(m *message, sysNames, attrNames []string) receivedMessage {
	rm := receivedMessage{MessageId: m.id, ReceiptHandle: m.handle, MD5OfBody: m.bodyMD5, Body: m.body}
	sys := map[string]string{
		"ApproximateReceiveCount":          strconv.Itoa(m.receiveCount),
		"SentTimestamp":                    strconv.FormatInt(m.sent.UnixMilli(), 10),
		"ApproximateFirstReceiveTimestamp": strconv.FormatInt(m.firstReceive.UnixMilli(), 10),
		"SenderId":                         Account,
	}
	if m.group != "" {
		sys["MessageGroupId"] = m.group
	}
	if m.seq != "" {
		sys["SequenceNumber"] = m.seq
		sys["MessageDeduplicationId"] = m.dedupID
	}
	for _, n := range sysNames {
		if n == "All" {
			rm.Attributes = sys
			break
		}
		if v, ok := sys[n]; ok {
			if rm.Attributes == nil {
				rm.Attributes = map[string]string{}
			}
			rm.Attributes[n] = v
		}
	}
	if len(m.attrs) > 0 {
		sel := map[string]attrValue{}
		for name, v := range m.attrs {
			for _, want := range attrNames {
				if want == "All" || want == ".*" || want == name ||
					strings.HasSuffix(want, ".*") && strings.HasPrefix(name, strings.TrimSuffix(want, "*")) {
					sel[name] = v
					break
				}
			}
		}
		if len(sel) > 0 {
			rm.MessageAttributes = sel
			rm.MD5OfMessageAttributes = attrsMD5(sel)
		}
	}
	return rm
}

func (s *Server) deleteMessage(raw []byte) (any, *apiError) {
	var in struct{ QueueUrl, ReceiptHandle string }
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	if e := s.delete(q, in.ReceiptHandle); e != nil {
		return nil, e
	}
	return struct{}{}, nil
}

// delete removes the message whose latest receipt handle is h. Like SQS, an
// older handle of a message received again succeeds without deleting; s.mu is held.
func (s *Server) delete(q *queue, h string) *apiError {
	if h == "" {
		return errMissing("ReceiptHandle")
	}
	m, ok := q.inFlight[h]
	if !ok {
		if len(h) == 72 { // a handle this server issued once: stale, accepted silently
			return nil
		}
		return &apiError{400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle \"" + h + "\" is not a valid receipt handle."}
	}
	delete(q.inFlight, h)
	for i, x := range q.msgs {
		if x == m {
			q.msgs = append(q.msgs[:i:i], q.msgs[i+1:]...)
			break
		}
	}
	s.notify()
	return nil
}

func (s *Server) deleteMessageBatch(raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl string
		Entries  []struct{ Id, ReceiptHandle string }
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	ids := make([]string, len(in.Entries))
	for i, en := range in.Entries {
		ids[i] = en.Id
	}
	if e := checkBatch(ids); e != nil {
		return nil, e
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	ok, failed := []map[string]string{}, []batchFailure{}
	for _, en := range in.Entries {
		if e := s.delete(q, en.ReceiptHandle); e != nil {
			failed = append(failed, batchFailure{Id: en.Id, SenderFault: true, Code: e.typ, Message: e.msg})
			continue
		}
		ok = append(ok, map[string]string{"Id": en.Id})
	}
	return map[string]any{"Successful": ok, "Failed": failed}, nil
}

func (s *Server) changeVisibility(raw []byte) (any, *apiError) {
	var in struct {
		QueueUrl, ReceiptHandle string
		VisibilityTimeout       *int
	}
	if e := decode(raw, &in); e != nil {
		return nil, e
	}
	if in.VisibilityTimeout == nil {
		return nil, errMissing("VisibilityTimeout")
	}
	if *in.VisibilityTimeout < 0 || *in.VisibilityTimeout > 43200 {
		return nil, errInvalid("Value %d for parameter VisibilityTimeout is invalid.", *in.VisibilityTimeout)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	q, e := s.queueByURL(in.QueueUrl)
	if e != nil {
		return nil, e
	}
	m, ok := q.inFlight[in.ReceiptHandle]
	now := time.Now()
	if !ok {
		return nil, &apiError{400, "ReceiptHandleIsInvalid", "ReceiptHandleIsInvalid", "The input receipt handle is not a valid receipt handle."}
	}
	if !m.visibleAt.After(now) {
		return nil, &apiError{400, "MessageNotInflight", "AWS.SimpleQueueService.MessageNotInflight", "The message referred to isn't in flight."}
	}
	m.visibleAt = now.Add(time.Duration(*in.VisibilityTimeout) * time.Second)
	s.notify()
	return struct{}{}, nil
}

func newID() string {
	var b [18]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func md5Hex(b []byte) string {
	sum := md5.Sum(b)
	return hex.EncodeToString(sum[:])
}

// attrsMD5 is SQS's digest of message attributes: for each attribute in name
// order, the length-prefixed name, the length-prefixed data type, a transport
// byte (1 string, 2 binary) and the length-prefixed value.
func attrsMD5(attrs map[string]attrValue) string {
	if len(attrs) == 0 {
		return ""
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	h := md5.New()
	put := func(b []byte) {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(b)))
		h.Write(l[:])
		h.Write(b)
	}
	for _, n := range names {
		a := attrs[n]
		put([]byte(n))
		put([]byte(a.DataType))
		if strings.HasPrefix(a.DataType, "Binary") {
			h.Write([]byte{2})
			put(a.BinaryValue)
		} else {
			h.Write([]byte{1})
			put([]byte(a.StringValue))
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}
