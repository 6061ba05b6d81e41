package mvpgraph

// StatsDimension is a key that program statistics can be grouped by.
type StatsDimension string

// Dimensions of program statistics.
const (
	ByExpertise StatsDimension = "EXPERTISE"
	ByCategory  StatsDimension = "CATEGORY"
	ByCountry   StatsDimension = "COUNTRY"
	ByLead      StatsDimension = "LEAD"
	ByYear      StatsDimension = "YEAR"
)

// StatsGroup counts one group of program statistics. The key fields of the
// dimensions grouped by are set (nil where the group has no value, as for
// members without awards); the others stay nil.
//
// Members counts the distinct members in the group, MVPs those among them
// whose award in the group is active, and Awards the awards in the group.
// Active awards are attributed to a lead by the lead rule: the expertise's
// US lead for US-based members, the country's international lead for
// others; ended awards, and members without awards, have no lead.
type StatsGroup struct {
	ExpertiseID *int64  `db:"expertise_id"`
	Category    *string `db:"category"`
	Country     *string `db:"country"`
	LeadID      *int64  `db:"lead_id"`
	Year        *int    `db:"year"`
	Members     int     `db:"members"`
	MVPs        int     `db:"mvps"`
	Awards      int     `db:"awards"`
}
