package model

import (
	"fmt"
	"time"

	"mvpgraph"
)

// The view types below are what the schema's objects are bound to: a
// domain value, and, as plain struct fields, what a query asks below it,
// loaded for a whole page at once before gqlgen writes the answer
// (resolvers/view.go). gqlgen writes a struct field, or a method without
// a context, inline, with no resolver and no goroutine; what a view holds
// is loaded only when the query asks for it.

// Member is a member with its awards, leads, social accounts and reach.
type Member struct {
	mvpgraph.Member
	Awards         []*Award
	Leads          []*Lead
	SocialAccounts []*SocialAccount
	Reach          *MemberReach
	// LeadIDs are the member's leads by the lead rule, known when
	// LeadsKnown: a lead's token sees personal data of these members.
	LeadIDs    []int64
	LeadsKnown bool
}

// NodeID is the member's global ID.
func (m *Member) NodeID() string { return mvpgraph.GlobalID("Member", m.ID) }

// Award is an award with its expertise, member and events.
type Award struct {
	mvpgraph.Award
	Expertise *Expertise
	Member    *Member
	Events    []*AwardEvent
}

// AwardEvent is one change of an award's standing.
type AwardEvent struct {
	mvpgraph.AwardEvent
}

// NodeID is the award's global ID.
func (a *Award) NodeID() string { return mvpgraph.GlobalID("Award", a.ID) }

// Expertise is an expertise with its product team and US lead.
type Expertise struct {
	mvpgraph.Expertise
	ProductTeam *ProductTeam
	UsLead      *Lead
}

// NodeID is the expertise's global ID.
func (e *Expertise) NodeID() string { return mvpgraph.GlobalID("Expertise", e.ID) }

// Lead is a lead.
type Lead struct {
	mvpgraph.Lead
}

// NodeID is the lead's global ID.
func (l *Lead) NodeID() string { return mvpgraph.GlobalID("Lead", l.ID) }

// ProductTeam is a product team.
type ProductTeam struct {
	mvpgraph.ProductTeam
}

// NodeID is the product team's global ID.
func (t *ProductTeam) NodeID() string { return mvpgraph.GlobalID("ProductTeam", t.ID) }

// Contact is a product team's contact.
type Contact struct {
	mvpgraph.Contact
}

// NodeID is the contact's global ID.
func (c *Contact) NodeID() string { return mvpgraph.GlobalID("Contact", c.ID) }

// CommunitySpace is a community space.
type CommunitySpace struct {
	mvpgraph.CommunitySpace
}

// NodeID is the space's global ID.
func (s *CommunitySpace) NodeID() string { return mvpgraph.GlobalID("CommunitySpace", s.ID) }

// KindName is the space's kind as the schema spells it.
func (s *CommunitySpace) KindName() string { return string(s.Kind) }

// Escalation is an escalation, with whether it is overdue as of the
// request, and who it concerns: its member, expertise, lead, contact and
// product team, and its moves.
type Escalation struct {
	mvpgraph.Escalation
	Overdue     bool
	Member      *Member
	Expertise   *Expertise
	Lead        *Lead
	Contact     *Contact
	ProductTeam *ProductTeam
	Events      []*EscalationEvent
}

// NodeID is the escalation's global ID.
func (e *Escalation) NodeID() string { return mvpgraph.GlobalID("Escalation", e.ID) }

// TimeToFirstResponse is the seconds from raising to the first move, or
// nil until then.
func (e *Escalation) TimeToFirstResponse() *int64 { return seconds(e.Escalation.TimeToFirstResponse()) }

// TimeToAnswer is the seconds from raising to the answer, or nil while
// unanswered.
func (e *Escalation) TimeToAnswer() *int64 { return seconds(e.Escalation.TimeToAnswer()) }

// EscalationEvent is one move of an escalation.
type EscalationEvent struct {
	mvpgraph.EscalationEvent
}

// From is the status the move left, or nil for the raise.
func (e *EscalationEvent) From() *mvpgraph.EscalationStatus {
	if e.FromStatus == nil {
		return nil
	}
	s := mvpgraph.EscalationStatus(*e.FromStatus)
	return &s
}

// SocialAccount is a social account with its staleness, the history the
// query asks for and its member.
type SocialAccount struct {
	mvpgraph.SocialAccount
	Staleness *Staleness
	Member    *Member
	// Histories holds the history for each window the query asks for.
	Histories map[HistoryArgs]History
}

// NodeID is the account's global ID.
func (a *SocialAccount) NodeID() string { return mvpgraph.GlobalID("SocialAccount", a.ID) }

// History is the account's history for a window the query asked for.
func (a *SocialAccount) History(from, to *time.Time, interval *mvpgraph.HistoryInterval) ([]*mvpgraph.Snapshot, error) {
	h, ok := a.Histories[NewHistoryArgs(from, to, interval)]
	if !ok {
		return nil, fmt.Errorf("the history of account %d was not loaded for this window", a.ID)
	}
	return h.Points, h.Err
}

// HistoryArgs are SocialAccount.history's arguments, comparable.
type HistoryArgs struct {
	From, To time.Time
	HasFrom  bool
	HasTo    bool
	Interval mvpgraph.HistoryInterval
}

// NewHistoryArgs keys history's arguments as the query gave them; a
// missing interval is DAY, the schema's default.
func NewHistoryArgs(from, to *time.Time, interval *mvpgraph.HistoryInterval) HistoryArgs {
	k := HistoryArgs{Interval: mvpgraph.ByDay}
	if from != nil {
		k.From, k.HasFrom = from.UTC(), true
	}
	if to != nil {
		k.To, k.HasTo = to.UTC(), true
	}
	if interval != nil {
		k.Interval = *interval
	}
	return k
}

// History is one window of an account's history, or why it cannot be
// given.
type History struct {
	Points []*mvpgraph.Snapshot
	Err    error
}

// seconds returns a duration in whole seconds, or nil.
func seconds(d *time.Duration) *int64 {
	if d == nil {
		return nil
	}
	s := int64(*d / time.Second)
	return &s
}

// Activity is a contribution in a community space.
type Activity struct {
	mvpgraph.Activity
}

// NodeID is the activity's global ID.
func (a *Activity) NodeID() string { return mvpgraph.GlobalID("Activity", a.ID) }

// KindName is the activity's kind as the schema spells it.
func (a *Activity) KindName() string { return string(a.Kind) }

// Contributor is who made the contribution.
func (a *Activity) Contributor() *Contributor {
	return &Contributor{Contributor: a.Activity.Contributor}
}

// Contributor is someone seen in a community space.
type Contributor struct {
	mvpgraph.Contributor
}

// CandidateItem is one of an award candidate's best contributions.
type CandidateItem struct {
	mvpgraph.CandidateItem
}

// KindName is the contribution's kind as the schema spells it.
func (c *CandidateItem) KindName() string { return string(c.Kind) }
