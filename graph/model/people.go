package model

import (
	"context"

	"mvpgraph"
)

// Person is one human seen in community spaces. A list of people loads
// what its query selects below them together, into Loaded; a person alone
// has its edges read through loaders.
type Person struct {
	mvpgraph.Person
	Loaded *PersonEdges
}

// PersonEdges are a person's edges, loaded with the person's siblings.
type PersonEdges struct {
	Member     *Member // nil when the person is no member, or the query selects none
	Identities []*Identity
}

// NodeID is the person's global ID.
func (p *Person) NodeID() string { return mvpgraph.GlobalID("Person", p.ID) }

// Identity is a person's handle in one space. Space and Account are its
// edges when loaded with its siblings'.
type Identity struct {
	mvpgraph.Identity
	Space   *CommunitySpace
	Account *SocialAccount
}

// NodeID is the identity's global ID.
func (i *Identity) NodeID() string { return mvpgraph.GlobalID("Identity", i.ID) }

// SiteName is the identity's space's site, nil when the space is a site
// of its own.
func (i *Identity) SiteName() *string {
	if i.Site == "" {
		return nil
	}
	return &i.Site
}

// PeopleChange is one change of who is whom.
type PeopleChange struct {
	mvpgraph.PeopleChange
}

// NodeID is the change's global ID.
func (c *PeopleChange) NodeID() string { return mvpgraph.GlobalID("PeopleChange", c.ID) }

// UndoesID is the global ID of the change an undo undid.
func (c *PeopleChange) UndoesID() *string { return changeID(c.Undoes) }

// UndoneByID is the global ID of the undo that undid the change.
func (c *PeopleChange) UndoneByID() *string { return changeID(c.UndoneBy) }

func changeID(id *int64) *string {
	if id == nil {
		return nil
	}
	s := mvpgraph.GlobalID("PeopleChange", *id)
	return &s
}

// PeopleMove is an identity a change moved.
type PeopleMove struct {
	mvpgraph.PeopleMove
}

// PersonMergeSuggestion is two people who may be one.
type PersonMergeSuggestion struct {
	People     []*Person
	Reasons    []mvpgraph.SuggestionReason
	Confidence float64
}

// CandidateIdentity is one identity's part of a candidate's score.
type CandidateIdentity struct {
	Identity *Identity
	Count    int
	Score    float64
}

// Nomination is a person put forward for an award; Person is its person,
// when loaded with its siblings'.
type Nomination struct {
	mvpgraph.Nomination
	Person *Person
}

// NodeID is the nomination's global ID.
func (n *Nomination) NodeID() string { return mvpgraph.GlobalID("Nomination", n.ID) }

// Moves are the statuses the nomination can move to.
func (n *Nomination) Moves() []mvpgraph.NominationStatus {
	return append([]mvpgraph.NominationStatus{}, mvpgraph.NominationMoves(n.Status)...)
}

// NominationEvent is one move of a nomination.
type NominationEvent struct {
	mvpgraph.NominationEvent
}

// From is the status before the move; nil when the nomination was made.
func (e *NominationEvent) From() *mvpgraph.NominationStatus {
	if e.FromStatus == nil {
		return nil
	}
	s := mvpgraph.NominationStatus(*e.FromStatus)
	return &s
}

// NominationConnection is a page of nominations.
type NominationConnection struct {
	Edges    []*NominationEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the nominations over all pages.
func (c *NominationConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// NominationEdge is a nomination in a page.
type NominationEdge struct {
	Cursor string
	Node   *Nomination
}

// NominationGroup is the nominations of one group.
type NominationGroup struct {
	Status      *mvpgraph.NominationStatus
	ExpertiseID *int64
	LeadID      *int64
	Month       *string
	Count       int
	Ended       int
	Awarded     int
}

// AwardShare is the share of the ended nominations that were awarded; nil
// while none has ended.
func (g *NominationGroup) AwardShare() *float64 {
	if g.Ended == 0 {
		return nil
	}
	v := float64(g.Awarded) / float64(g.Ended)
	return &v
}
