package wire

import gw "github.com/google/wire"

// OnpremSet is the on-premises profile's adapters. Until their cloud adapters are
// wired, ports use the local adapters; the database is PostgreSQL.
var OnpremSet = gw.NewSet(ProvideLogOutput, FileBlobSet, ProvideFileBlobRoutes, SQLQueueSet, SQLSchedulerSet, LogNotifierSet,
	LocalKeysSet, LocalSignerSet, OfflineGeoSet, LocalAuthSet)

// AWSSet is the AWS profile's adapters (same interim rule as OnpremSet).
var AWSSet = gw.NewSet(ProvideLogOutput, FileBlobSet, ProvideFileBlobRoutes, SQLQueueSet, SQLSchedulerSet, LogNotifierSet,
	LocalKeysSet, LocalSignerSet, OfflineGeoSet, LocalAuthSet)
