package bolt

import (
	"encoding/binary"
	"fmt"

	bbolt "go.etcd.io/bbolt"
)

// Buckets. Keys are described beside each name.
var (
	bucketMeta     = []byte("meta")     // metaSchema, metaHall, metaIDKey, metaClosedThrough
	bucketAreas    = []byte("areas")    // area id → hall.Area
	bucketServices = []byte("services") // service id → hall.Service
	bucketCounters = []byte("counters") // counter id → hall.Counter (configuration and live state)
	bucketStaff    = []byte("staff")    // staff id → hall.Staff
	bucketTickets  = []byte("tickets")  // ticket id ("20261122-00000042", sorts by day) → hall.Ticket
	bucketTokens   = []byte("tokens")   // access token → ticket id
	bucketSvcDay   = []byte("svcday")   // day "/" service id → hall.ServiceDay
	bucketSvcOpen  = []byte("svcopen")  // service id → uint32 open counters serving it
	bucketSvcStats = []byte("svcstats") // service id → recent service times
	// bucketWaiting indexes waiting tickets: service id 0x00 class queueKey(8, BE, offset) ticket id → entry.
	// class is 'a' (appointment with a slot), 'n' (normal) or 'p' (priority).
	bucketWaiting = []byte("waiting")
	// bucketDirected indexes tickets transferred to one counter: counter id 0x00 queueKey ticket id → entry.
	bucketDirected = []byte("directed")
	bucketHeld     = []byte("held")    // counter id 0x00 ticket id → nothing
	bucketPersons  = []byte("persons") // service id 0x00 id hash → live ticket id
	bucketAppts    = []byte("appts")   // appointment id ("20261122-00000007", sorts by day) → hall.Appointment
	bucketApptCode = []byte("apptcode")
	bucketApptSlot = []byte("apptslot") // service id 0x00 day 0x00 start clock → uint32 live bookings
	bucketApptWho  = []byte("apptwho")  // service id 0x00 day 0x00 id hash or phone → appointment id
	bucketCodes    = []byte("codes")    // day 0x00 ticket code → newest ticket id with that code
	bucketEvents   = []byte("events")   // seq (8, BE) → hall.Event
	// bucketIdemLog holds idempotent steps' first results: time (8, BE, Unix ns) key → idemRecord
	// (see idempotency.go). bucketIdemLegacy was its keyed form up to schema 6.
	bucketIdemLog    = []byte("idemlog")
	bucketIdemLegacy = []byte("idem")
)

var allBuckets = [][]byte{
	bucketMeta, bucketAreas, bucketServices, bucketCounters, bucketStaff, bucketTickets, bucketTokens,
	bucketSvcDay, bucketSvcOpen, bucketSvcStats, bucketWaiting, bucketDirected, bucketHeld, bucketPersons,
	bucketAppts, bucketApptCode, bucketApptSlot, bucketApptWho, bucketCodes, bucketEvents, bucketIdemLegacy,
}

var (
	metaSchema        = []byte("schema")
	metaHall          = []byte("hall")
	metaIDKey         = []byte("idkey")
	metaClosedThrough = []byte("closedThrough")
)

// SchemaVersion is the version of the layout this code reads and writes.
const SchemaVersion = 7

// migration brings a file from version-1 to version. Migrations run in order at Open, all in one
// write transaction, and the version is recorded in the same transaction.
type migration struct {
	version int
	name    string
	up      func(tx *bbolt.Tx) error
}

// migrations is append only. To change the layout, add a step with the next version and raise
// SchemaVersion.
var migrations = []migration{
	{version: 1, name: "create buckets", up: func(tx *bbolt.Tx) error {
		for _, b := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	}},
	{version: 2, name: "create auth buckets", up: func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketSessions, bucketDevices} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	}},
	{version: 3, name: "create rating and figures buckets", up: func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketRatings, bucketFigures} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	}},
	{version: 4, name: "create case, licence and outbox buckets", up: func(tx *bbolt.Tx) error {
		for _, b := range [][]byte{bucketCases, bucketCaseOpen, bucketCaseTkt, bucketCursors, bucketLicences, bucketLicencePDF, bucketLicenceWho, bucketLicenceCode} {
			if _, err := tx.CreateBucketIfNotExists(b); err != nil {
				return fmt.Errorf("create bucket %s: %w", b, err)
			}
		}
		return nil
	}},
	{version: 5, name: "create device health bucket", up: func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketHealth)
		return err
	}},
	{version: 6, name: "create the sent-SMS bucket", up: func(tx *bbolt.Tx) error {
		_, err := tx.CreateBucketIfNotExists(bucketSMSSent)
		return err
	}},
	{version: 7, name: "keep idempotency records in time order", up: migrateIdemLog},
}

// schemaVersion reads the file's version (0 for a new file).
func schemaVersion(tx *bbolt.Tx) int {
	b := tx.Bucket(bucketMeta)
	if b == nil {
		return 0
	}
	v := b.Get(metaSchema)
	if len(v) != 4 {
		return 0
	}
	return int(binary.BigEndian.Uint32(v))
}

// migrate runs the migrations the file lacks, up to target.
func migrate(tx *bbolt.Tx, steps []migration, target int) (ran []string, err error) {
	have := schemaVersion(tx)
	if have > target {
		return nil, fmt.Errorf("bolt: the data file has schema version %d, newer than this program's %d: upgrade the program", have, target)
	}
	for _, m := range steps {
		if m.version <= have || m.version > target {
			continue
		}
		if err := m.up(tx); err != nil {
			return ran, fmt.Errorf("bolt: migration %d (%s): %w", m.version, m.name, err)
		}
		meta, err := tx.CreateBucketIfNotExists(bucketMeta)
		if err != nil {
			return ran, err
		}
		if err := meta.Put(metaSchema, binary.BigEndian.AppendUint32(nil, uint32(m.version))); err != nil {
			return ran, err
		}
		ran = append(ran, m.name)
	}
	return ran, nil
}
