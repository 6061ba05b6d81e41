package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mvpgraph"
	"mvpgraph/store"
)

// Load stores a whole program in an empty database (store.Load), each row
// checked first by the program's rules: the domain's, as every change
// through the API is.
func Load(ctx context.Context, s *store.Store, p *store.Program) error {
	return s.Load(ctx, p, &programCheck{})
}

// programCheck applies the program's rules to a program as the store loads
// it (store.ProgramCheck), remembering across batches what later rows may
// refer to.
type programCheck struct {
	now          time.Time
	leads        map[int64]mvpgraph.Lead
	expertises   map[int64]string
	employees    map[int64]bool // only employees: a few per cent of members
	members      int            // members seen so far, for row numbers in errors
	awards       int
	accounts     int
	snapshots    int
	spaces       map[int64]bool
	contributors int
	activities   int
	// contributorSpace is the space of each contributor, by ID.
	contributorSpace []int64
	newest           map[int64]int // per account of the current batch, its newest snapshot's index, or -1
}

// Catalogue checks and completes everything but the members and what
// belongs to them.
func (c *programCheck) Catalogue(p *store.Program, now time.Time) error {
	c.now, c.leads, c.expertises, c.employees = now, map[int64]mvpgraph.Lead{}, map[int64]string{}, map[int64]bool{}
	if err := c.checkCatalogue(p); err != nil {
		return err
	}
	return c.checkSpaces(p)
}

// at names the row an EINVALID error came from, as in members[12].handle.
func at(row string, err error) error {
	var e *mvpgraph.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	if c.Field == "" {
		c.Field = row
	} else {
		c.Field = row + "." + c.Field
	}
	return &c
}

func checkID(row string, id int64) error {
	if id <= 0 {
		return mvpgraph.Invalidf(row+".id", "%s has no ID; a program load needs the caller to number rows 1..n.", row)
	}
	return nil
}

// checkCatalogue validates everything but the members and awards, before
// the transaction starts.
func (c *programCheck) checkCatalogue(p *store.Program) error {
	for i := range p.ProductTeams {
		row := fmt.Sprintf("productTeams[%d]", i)
		if err := checkID(row, p.ProductTeams[i].ID); err != nil {
			return err
		}
		if err := p.ProductTeams[i].Normalize(); err != nil {
			return at(row, err)
		}
		p.ProductTeams[i].CreatedAt = c.now
	}
	for i := range p.Contacts {
		row := fmt.Sprintf("contacts[%d]", i)
		if err := checkID(row, p.Contacts[i].ID); err != nil {
			return err
		}
		if err := p.Contacts[i].Normalize(row); err != nil {
			return err
		}
	}
	for i := range p.Expertises {
		e := &p.Expertises[i]
		row := fmt.Sprintf("expertises[%d]", i)
		if err := checkID(row, e.ID); err != nil {
			return err
		}
		if err := e.Normalize(); err != nil {
			return at(row, err)
		}
		e.CreatedAt = c.now
		c.expertises[e.ID] = e.Name
	}
	for i := range p.Leads {
		row := fmt.Sprintf("leads[%d]", i)
		if err := checkID(row, p.Leads[i].ID); err != nil {
			return err
		}
		if err := p.Leads[i].Normalize(); err != nil {
			return at(row, err)
		}
		p.Leads[i].CreatedAt = c.now
		c.leads[p.Leads[i].ID] = p.Leads[i]
	}
	owners := map[int64]int64{}
	for i, o := range p.ExpertiseOwners {
		row := fmt.Sprintf("expertiseOwners[%d]", i)
		lead, ok := c.leads[o.LeadID]
		if !ok {
			return mvpgraph.Invalidf(row+".leadId", "lead %d is not among the program's leads.", o.LeadID)
		}
		name, ok := c.expertises[o.ExpertiseID]
		if !ok {
			return mvpgraph.Invalidf(row+".expertiseId", "expertise %d is not among the program's expertises.", o.ExpertiseID)
		}
		if err := mvpgraph.CheckExpertiseAssignment(lead, name, owners[o.ExpertiseID], false); err != nil {
			return at(row, err)
		}
		owners[o.ExpertiseID] = lead.ID
	}
	countries := map[string]int64{}
	for i := range p.CountryOwners {
		o := &p.CountryOwners[i]
		row := fmt.Sprintf("countryOwners[%d]", i)
		lead, ok := c.leads[o.LeadID]
		if !ok {
			return mvpgraph.Invalidf(row+".leadId", "lead %d is not among the program's leads.", o.LeadID)
		}
		c, err := mvpgraph.NormalizeCountry("country", o.Country)
		if err != nil {
			return at(row, err)
		}
		if err := mvpgraph.CheckCountryAssignment(lead, c, countries[c], false); err != nil {
			return at(row, err)
		}
		o.Country = c
		countries[c] = lead.ID
	}
	return nil
}

// checkSpaces checks the community spaces and what each is about.
func (c *programCheck) checkSpaces(p *store.Program) error {
	c.spaces = make(map[int64]bool, len(p.Spaces))
	for i := range p.Spaces {
		sp := &p.Spaces[i]
		row := fmt.Sprintf("spaces[%d]", i)
		if err := checkID(row, sp.ID); err != nil {
			return err
		}
		if err := sp.Normalize(); err != nil {
			return at(row, err)
		}
		sp.CreatedAt = c.now
		c.spaces[sp.ID] = true
	}
	for i, se := range p.SpaceExpertises {
		row := fmt.Sprintf("spaceExpertises[%d]", i)
		if !c.spaces[se.SpaceID] {
			return mvpgraph.Invalidf(row+".spaceId", "space %d is not among the program's spaces.", se.SpaceID)
		}
		if _, ok := c.expertises[se.ExpertiseID]; !ok {
			return mvpgraph.Invalidf(row+".expertiseId", "expertise %d is not among the program's expertises.", se.ExpertiseID)
		}
	}
	return nil
}

// Batch checks and completes one batch of members, their awards, accounts
// and activity, in place.
func (c *programCheck) Batch(b store.MemberBatch) error {
	for i := range b.Members {
		m := &b.Members[i]
		row := fmt.Sprintf("members[%d]", c.members+i)
		if err := checkID(row, m.ID); err != nil {
			return err
		}
		if err := m.Normalize(); err != nil {
			return at(row, err)
		}
		m.CreatedAt, m.UpdatedAt, m.IsMVP = c.now, c.now, false
		if m.IsEmployee {
			c.employees[m.ID] = true
		}
	}
	for i := range b.Awards {
		a := &b.Awards[i]
		row := fmt.Sprintf("awards[%d]", c.awards+i)
		if err := checkID(row, a.ID); err != nil {
			return err
		}
		if err := mvpgraph.CheckRecord(*a, c.employees[a.MemberID]); err != nil {
			return at(row, err)
		}
		a.CreatedAt, a.UpdatedAt = c.now, c.now
	}
	if err := c.checkSocial(b); err != nil {
		return err
	}
	c.members += len(b.Members)
	c.awards += len(b.Awards)
	c.accounts += len(b.SocialAccounts)
	c.snapshots += len(b.Snapshots)
	return c.checkActivity(b)
}

// checkActivity checks a batch's contributors and their activity. A
// member that does not exist the database's keys refuse.
func (c *programCheck) checkActivity(b store.MemberBatch) error {
	for i := range b.Contributors {
		who := &b.Contributors[i]
		row := fmt.Sprintf("contributors[%d]", c.contributors+i)
		if err := checkID(row, who.ID); err != nil {
			return err
		}
		if !c.spaces[who.SpaceID] {
			return mvpgraph.Invalidf(row+".spaceId", "space %d is not among the program's spaces.", who.SpaceID)
		}
		if who.Handle == "" || len(who.Handle) > 200 {
			return mvpgraph.Invalidf(row+".handle", "a contributor's handle is 1 to 200 characters.")
		}
		if u := who.ProfileURL; u != nil && (len([]rune(*u)) > mvpgraph.MaxProfileURL || mvpgraph.ProfileKey(*u) == "") {
			return mvpgraph.Invalidf(row+".profileUrl", "a profile page is an http or https address of a page on a host, at most %d characters.", mvpgraph.MaxProfileURL)
		}
		if who.ID >= int64(len(c.contributorSpace)) {
			c.contributorSpace = append(c.contributorSpace, make([]int64, int(who.ID)-len(c.contributorSpace)+1)...)
		}
		if c.contributorSpace[who.ID] != 0 {
			return mvpgraph.Invalidf(row+".id", "contributor ID %d is given twice.", who.ID)
		}
		c.contributorSpace[who.ID] = who.SpaceID
	}
	for i := range b.Activities {
		a := &b.Activities[i]
		row := fmt.Sprintf("activities[%d]", c.activities+i)
		if err := checkID(row, a.ID); err != nil {
			return err
		}
		switch {
		case !c.spaces[a.SpaceID]:
			return mvpgraph.Invalidf(row+".spaceId", "space %d is not among the program's spaces.", a.SpaceID)
		case !a.Kind.Valid():
			return mvpgraph.Invalidf(row+".kind", "%q is not an activity kind.", a.Kind)
		case a.ExternalID == "" || len(a.ExternalID) > 200:
			return mvpgraph.Invalidf(row+".externalId", "an external ID is 1 to 200 characters.")
		case a.ContributorID <= 0 || a.ContributorID >= int64(len(c.contributorSpace)) || c.contributorSpace[a.ContributorID] == 0:
			return mvpgraph.Invalidf(row+".contributorId", "contributor %d is not among the contributors of this batch or an earlier one.", a.ContributorID)
		case c.contributorSpace[a.ContributorID] != a.SpaceID:
			return mvpgraph.Invalidf(row+".contributorId", "contributor %d was seen in space %d, not in the activity's space %d.", a.ContributorID, c.contributorSpace[a.ContributorID], a.SpaceID)
		case a.OccurredAt.IsZero():
			return mvpgraph.Invalidf(row+".occurredAt", "an activity needs the time it happened.")
		}
		a.OccurredAt = a.OccurredAt.UTC().Truncate(time.Microsecond)
	}
	c.contributors += len(b.Contributors)
	c.activities += len(b.Activities)
	return nil
}

// checkSocial validates and completes a batch's accounts and snapshots, and
// gives each account the reading of its newest snapshot.
func (c *programCheck) checkSocial(b store.MemberBatch) error {
	if c.newest == nil {
		c.newest = make(map[int64]int, len(b.SocialAccounts))
	}
	clear(c.newest)
	for i := range b.SocialAccounts {
		a := &b.SocialAccounts[i]
		row := fmt.Sprintf("socialAccounts[%d]", c.accounts+i)
		if err := checkID(row, a.ID); err != nil {
			return err
		}
		if _, dup := c.newest[a.ID]; dup {
			return mvpgraph.Invalidf(row+".id", "account ID %d is given twice.", a.ID)
		}
		if a.MemberID <= 0 {
			return mvpgraph.Invalidf(row+".memberId", "%s names no member.", row)
		}
		if !a.Platform.Valid() {
			return mvpgraph.Invalidf(row+".platform", "%q is not a platform mvpgraph knows.", a.Platform)
		}
		handle, url, err := mvpgraph.NormalizeAccount(a.Platform, a.Handle)
		if err != nil {
			return at(row, err)
		}
		if handle != a.Handle {
			return mvpgraph.Invalidf(row+".handle", "%q is not in normalised form; a program load takes %s handles as mvpgraph.NormalizeAccount gives them, here %q.", a.Handle, a.Platform, handle)
		}
		if !a.Status.Valid() {
			return mvpgraph.Invalidf(row+".status", "%q is not an account status.", a.Status)
		}
		if a.Failures < 0 {
			return mvpgraph.Invalidf(row+".failures", "failures must not be negative; got %d.", a.Failures)
		}
		a.URL, a.CreatedAt = url, c.now
		c.newest[a.ID] = -1
	}
	for i := range b.Snapshots {
		x := &b.Snapshots[i]
		j, ok := c.newest[x.AccountID]
		switch {
		case !ok:
			return mvpgraph.Invalidf(fmt.Sprintf("snapshots[%d].accountId", c.snapshots+i), "account %d is not among the accounts of the snapshot's batch.", x.AccountID)
		case x.CapturedAt.IsZero():
			return mvpgraph.Invalidf(fmt.Sprintf("snapshots[%d].capturedAt", c.snapshots+i), "a snapshot needs the time it was taken.")
		}
		x.CapturedAt = x.CapturedAt.UTC().Truncate(time.Microsecond)
		if x.Day == "" {
			x.Day = store.Day(x.CapturedAt)
		} else if !isDayOf(x.Day, x.CapturedAt) {
			return mvpgraph.Invalidf(fmt.Sprintf("snapshots[%d].day", c.snapshots+i), "day %q is not the UTC day of capturedAt, %s.", x.Day, store.Day(x.CapturedAt))
		}
		if j < 0 || x.CapturedAt.After(b.Snapshots[j].CapturedAt) {
			c.newest[x.AccountID] = i
		}
	}
	for i := range b.SocialAccounts {
		a := &b.SocialAccounts[i]
		a.Reach = mvpgraph.Reach{}
		if j := c.newest[a.ID]; j >= 0 {
			x := &b.Snapshots[j]
			a.Reach = x.Reach
			if a.LastSyncedAt == nil || a.LastSyncedAt.Before(x.CapturedAt) {
				a.LastSyncedAt = &x.CapturedAt
			}
		}
		if a.LastSyncedAt != nil {
			t := a.LastSyncedAt.UTC().Truncate(time.Microsecond)
			a.LastSyncedAt = &t
		}
	}
	return nil
}

// isDayOf reports whether day is t's day as Day writes it, YYYY-MM-DD,
// without formatting t: Load checks millions of snapshots.
func isDayOf(day string, t time.Time) bool {
	if len(day) != len(time.DateOnly) || day[4] != '-' || day[7] != '-' {
		return false
	}
	y, m, d := t.Date()
	return digits(day[:4]) == y && digits(day[5:7]) == int(m) && digits(day[8:]) == d
}

// digits reads a string of decimal digits, or returns -1.
func digits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return -1
		}
		n = n*10 + int(s[i]-'0')
	}
	return n
}
