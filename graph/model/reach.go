package model

import "context"

// MemberReach is a member's reach, computed from the member's accounts;
// growth is resolved on demand from the history.
type MemberReach struct {
	Total      int64
	ByPlatform []*PlatformReach
	Score      float64
	ScoreParts []*ReachScorePart
	// AccountIDs are the accounts the reach is made of.
	AccountIDs []int64
}

// LeaderboardConnection is a page of a reach ranking.
type LeaderboardConnection struct {
	Edges    []*LeaderboardEdge
	PageInfo *PageInfo
	Count    CountFunc
}

// TotalCount counts the ranked members over all pages.
func (c *LeaderboardConnection) TotalCount(ctx context.Context) (int, error) { return c.Count(ctx) }

// LeaderboardEdge is a ranked member in a page.
type LeaderboardEdge struct {
	Cursor string
	Node   *LeaderboardEntry
}

// LeaderboardEntry is a member's place in a reach ranking.
type LeaderboardEntry struct {
	Rank      int
	MemberID  int64
	Followers int64
	Growth    int64
}
