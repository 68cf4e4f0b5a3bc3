package identity

import (
	"context"
	"sync"
)

// directory is the service's copy of every verified professional, as
// Store.DirectoryProfessionals returns them, kept until Store.DirectoryVersion
// moves: a listing reads one row, not the whole directory.
type directory struct {
	mu      sync.Mutex // held while reloading: one reload at a time
	loaded  bool
	version int64
	list    []Professional // never mutated once stored: a reload replaces it
}

// verified returns every verified professional, by name then ID, reloading them
// only when the version moved. The slice and what it points to are shared by
// every caller: read-only.
func (s *Service) verified(ctx context.Context) ([]Professional, error) {
	// The version is read before the list: a change committing in between costs
	// one more reload at the next call, never a missed one.
	v, err := s.store.DirectoryVersion(ctx)
	if err != nil {
		return nil, err
	}
	d := &s.dir
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.loaded && v <= d.version { // <=: a caller that read an older version must not go back
		return d.list, nil
	}
	list, err := s.store.DirectoryProfessionals(ctx)
	if err != nil {
		return nil, err
	}
	d.list, d.version, d.loaded = list, v, true
	return list, nil
}
