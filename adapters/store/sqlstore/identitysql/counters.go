package identitysql

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync/atomic"
	"time"

	"github.com/multisaude/multisaude/adapters/store/sqlstore"
	"github.com/multisaude/multisaude/core/identity"
)

var _ identity.RateCounters = (*Store)(nil)

// counterRetention is how long a counter row outlives its window's start
// before a sweep deletes it; longer than any window identity uses.
const counterRetention = 24 * time.Hour

// sweepEvery is how many hits of this process pass between two sweeps.
const sweepEvery = 512

var hits atomic.Uint64

// counterKey keeps what is counted (an IP, an e-mail) out of the table.
func counterKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// HitCounter counts one event in a single statement: a row whose window ended
// (or starts in the future, after a clock step back) restarts at 1.
func (s *Store) HitCounter(ctx context.Context, key string, per time.Duration, now time.Time) (int, error) {
	if hits.Add(1)%sweepEvery == 0 {
		s.sweepCounters(ctx, now)
	}
	nowMs := now.UnixMilli()
	ended := now.Add(-per).UnixMilli()
	var n int
	err := s.db.NewRaw(`INSERT INTO identity_rate_counters (key_hash, window_start_ms, n) VALUES (?, ?, 1)
ON CONFLICT (key_hash) DO UPDATE SET
  n = CASE WHEN identity_rate_counters.window_start_ms <= ? OR identity_rate_counters.window_start_ms > ? THEN 1
      ELSE identity_rate_counters.n + 1 END,
  window_start_ms = CASE WHEN identity_rate_counters.window_start_ms <= ? OR identity_rate_counters.window_start_ms > ? THEN excluded.window_start_ms
      ELSE identity_rate_counters.window_start_ms END
RETURNING n`, counterKey(key), nowMs, ended, nowMs, ended, nowMs).Scan(ctx, &n)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	return n, nil
}

// CounterValue reads key's count in its current window.
func (s *Store) CounterValue(ctx context.Context, key string, per time.Duration, now time.Time) (int, error) {
	var ns []int
	err := s.db.NewRaw(`SELECT n FROM identity_rate_counters WHERE key_hash = ? AND window_start_ms > ? AND window_start_ms <= ?`,
		counterKey(key), now.Add(-per).UnixMilli(), now.UnixMilli()).Scan(ctx, &ns)
	if err != nil {
		return 0, sqlstore.Translate(err)
	}
	if len(ns) == 0 {
		return 0, nil
	}
	return ns[0], nil
}

// ResetCounter deletes key's row.
func (s *Store) ResetCounter(ctx context.Context, key string) error {
	_, err := s.db.NewRaw(`DELETE FROM identity_rate_counters WHERE key_hash = ?`, counterKey(key)).Exec(ctx)
	return sqlstore.Translate(err)
}

// sweepCounters deletes rows whose window started long ago; a failure only
// leaves them for the next sweep.
func (s *Store) sweepCounters(ctx context.Context, now time.Time) {
	_, _ = s.db.NewRaw(`DELETE FROM identity_rate_counters WHERE window_start_ms < ?`, now.Add(-counterRetention).UnixMilli()).Exec(ctx)
}
