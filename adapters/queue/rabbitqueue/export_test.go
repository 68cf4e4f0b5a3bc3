package rabbitqueue

import "context"

// DropConnection closes the current connection under the adapter, as a broker
// restart or a network cut would.
func (q *Queue) DropConnection() {
	q.mu.Lock()
	c := q.conn
	q.mu.Unlock()
	if c != nil {
		_ = c.Close()
	}
}

// DeleteQueues deletes every queue this adapter declared (test cleanup).
func (q *Queue) DeleteQueues(ctx context.Context) error {
	conn, err := q.connection(ctx)
	if err != nil {
		return err
	}
	ch, err := conn.Channel()
	if err != nil {
		return err
	}
	defer ch.Close()
	q.mu.Lock()
	names := make([]string, 0, len(q.queues))
	for n := range q.queues {
		names = append(names, n)
	}
	q.mu.Unlock()
	for _, n := range names {
		if _, err := ch.QueueDelete(n, false, false, false); err != nil {
			return err
		}
	}
	return nil
}
