package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/client"
	"github.com/stretchr/testify/require"

	"mvpgraph"
	httpapi "mvpgraph/api"
	"mvpgraph/graph"
	"mvpgraph/resolvers"
	"mvpgraph/store"
	"mvpgraph/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

// api is a GraphQL client on the real handler over a real store.
type api struct {
	t *testing.T
	c *client.Client
	h http.Handler
	s *store.Store
}

func newAPI(t *testing.T, s *store.Store) *api {
	return newAPIWithLog(t, s, io.Discard)
}

func newAPIWithLog(t *testing.T, s *store.Store, log io.Writer) *api {
	return newAPIOn(t, &resolvers.Resolver{Store: s}, log)
}

// newAPIOn is the API of root, over root's store, with an admin token.
func newAPIOn(t *testing.T, root *resolvers.Resolver, log io.Writer) *api {
	opts := httpapi.DefaultOptions()
	opts.Logger = slog.New(slog.NewTextHandler(log, nil))
	opts.CallerKey = httpapi.TokenCaller
	return newAPIWith(t, root, opts)
}

// newAPIWith is the API of root with the handler's options opts.
func newAPIWith(t *testing.T, root *resolvers.Resolver, opts httpapi.Options) *api {
	s := root.Store
	h := resolvers.Middleware(s, httpapi.Authenticate(s, httpapi.NewHandler(graph.NewExecutableSchema(resolvers.NewConfig(root)), opts)))
	return &api{t: t, c: client.New(h, bearer(t, s, mvpgraph.APIToken{Name: "test admin", Role: mvpgraph.RoleAdmin})), h: h, s: s}
}

// bearer makes a token and returns the client option that sends it.
func bearer(t *testing.T, s *store.Store, tok mvpgraph.APIToken) client.Option {
	secret, hash := mvpgraph.NewTokenSecret()
	require.NoError(t, s.CreateToken(context.Background(), &tok, hash))
	return client.AddHeader("Authorization", "Bearer "+secret)
}

// as returns a client of the same API sending opts (a token, or none).
func (a *api) as(opts ...client.Option) *api {
	return &api{t: a.t, c: client.New(a.h, opts...), h: a.h, s: a.s}
}

type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

type result struct {
	Data       json.RawMessage
	Errors     []gqlError
	Extensions map[string]any
}

func withContext(ctx context.Context) client.Option {
	return func(r *client.Request) {
		r.HTTP = r.HTTP.WithContext(ctx)
	}
}

// raw runs a query and returns its data and errors.
func (a *api) raw(query string, opts ...client.Option) result {
	a.t.Helper()
	resp, err := a.c.RawPost(query, opts...)
	require.NoError(a.t, err)
	var out result
	out.Data, err = json.Marshal(resp.Data)
	require.NoError(a.t, err)
	out.Extensions = resp.Extensions
	if len(resp.Errors) > 0 {
		require.NoError(a.t, json.Unmarshal(resp.Errors, &out.Errors))
	}
	return out
}

// do runs a query that must succeed and decodes its data into dst.
func (a *api) do(dst any, query string, opts ...client.Option) {
	a.t.Helper()
	r := a.raw(query, opts...)
	require.Empty(a.t, r.Errors, "query failed: %.300s", query)
	require.NoError(a.t, json.Unmarshal(r.Data, dst))
}

// fail runs a query that must fail with code (and field, when given) and
// returns the error.
func (a *api) fail(code, field, query string, opts ...client.Option) gqlError {
	a.t.Helper()
	r := a.raw(query, opts...)
	require.NotEmpty(a.t, r.Errors, "query should fail with %s: %.300s", code, query)
	for _, e := range r.Errors {
		require.Equal(a.t, code, e.Extensions["code"], "message: %s", e.Message)
	}
	e := r.Errors[0]
	require.Equal(a.t, code, e.Extensions["code"], "message: %s", e.Message)
	if field != "" {
		require.Equal(a.t, field, e.Extensions["field"], "message: %s", e.Message)
	}
	return e
}

// id runs a mutation and returns the ID at the given JSON path.
func (a *api) id(query string, path ...string) string {
	a.t.Helper()
	var data map[string]any
	a.do(&data, query)
	var v any = data
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v.(string)
}

// buildProgram creates a small program through the mutations and returns
// the IDs by name.
func buildProgram(a *api) map[string]string {
	ids := map[string]string{}
	ids["team"] = a.id(`mutation { createProductTeam(input: {name: "Dynamics Team", contacts: [{name: "Pat", email: "pat@vendor.example", role: "PM"}]}) { productTeam { id } } }`, "createProductTeam", "productTeam", "id")
	ids["crm"] = a.id(fmt.Sprintf(`mutation { createExpertise(input: {name: "Dynamics CRM", category: "Business Applications", productTeamId: %q}) { expertise { id } } }`, ids["team"]), "createExpertise", "expertise", "id")
	ids["excel"] = a.id(`mutation { createExpertise(input: {name: "Excel", category: "Office"}) { expertise { id } } }`, "createExpertise", "expertise", "id")
	ids["uma"] = a.id(`mutation { createLead(input: {name: "Uma", email: "uma@vendor.example", kind: US}) { lead { id } } }`, "createLead", "lead", "id")
	ids["chloe"] = a.id(`mutation { createLead(input: {name: "Chloe", email: "chloe@vendor.example", kind: INTERNATIONAL}) { lead { id } } }`, "createLead", "lead", "id")
	a.id(fmt.Sprintf(`mutation { assignExpertise(input: {leadId: %q, expertiseId: %q}) { lead { id } } }`, ids["uma"], ids["crm"]), "assignExpertise", "lead", "id")
	a.id(fmt.Sprintf(`mutation { assignCountry(input: {leadId: %q, country: "CA"}) { lead { id } } }`, ids["chloe"]), "assignCountry", "lead", "id")
	for _, m := range []struct{ handle, country, extra string }{
		{"ada", "US", `email: "ada@example.com", city: "Seattle"`},
		{"jean", "CA", `email: "jean@example.com"`},
		{"fay", "US", `isEmployee: true`},
	} {
		ids[m.handle] = a.id(fmt.Sprintf(`mutation { createMember(input: {handle: %q, name: %q, country: %q, %s}) { member { id } } }`, m.handle, strings.ToUpper(m.handle), m.country, m.extra), "createMember", "member", "id")
	}
	ids["adaCRM"] = a.id(fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["ada"], ids["crm"]), "awardMember", "award", "id")
	ids["jeanExcel"] = a.id(fmt.Sprintf(`mutation { awardMember(input: {memberId: %q, expertiseId: %q, year: 2026}) { award { id } } }`, ids["jean"], ids["excel"]), "awardMember", "award", "id")
	return ids
}

func TestProgramGraph(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		a := newAPI(t, s)
		ids := buildProgram(a)

		var mvps struct {
			Mvps struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Handle string
						IsMvp  bool
						Awards []struct {
							Year      int
							Status    string
							Expertise struct {
								Name        string
								ProductTeam *struct{ Name string }
								UsLead      *struct{ Name string }
							}
						}
						Leads []struct{ Name string }
					}
				}
			}
		}
		a.do(&mvps, `{ mvps(orderBy: [{field: HANDLE}]) { totalCount edges { node { handle isMvp awards { year status expertise { name productTeam { name } usLead { name } } } leads { name } } } } }`)
		require.Equal(t, 2, mvps.Mvps.TotalCount)
		ada, jean := mvps.Mvps.Edges[0].Node, mvps.Mvps.Edges[1].Node
		require.Equal(t, "ada", ada.Handle)
		require.True(t, ada.IsMvp)
		require.Equal(t, "Dynamics CRM", ada.Awards[0].Expertise.Name)
		require.Equal(t, "ACTIVE", ada.Awards[0].Status)
		require.Equal(t, "Dynamics Team", ada.Awards[0].Expertise.ProductTeam.Name)
		require.Equal(t, "Uma", ada.Awards[0].Expertise.UsLead.Name)
		require.Equal(t, "Uma", ada.Leads[0].Name)
		require.Equal(t, "jean", jean.Handle)
		require.Nil(t, jean.Awards[0].Expertise.UsLead)
		require.Equal(t, "Chloe", jean.Leads[0].Name, "a Canadian MVP has the Canadian lead")

		var leads struct {
			Leads struct {
				Edges []struct {
					Node struct {
						Name       string
						Kind       string
						Countries  []string
						Expertises []struct{ Name string }
						Mvps       struct {
							TotalCount int
							Edges      []struct{ Node struct{ Handle string } }
						}
					}
				}
			}
		}
		a.do(&leads, `{ leads(orderBy: [{field: NAME, direction: DESC}]) { edges { node { name kind countries expertises { name } mvps { totalCount edges { node { handle } } } } } } }`)
		require.Len(t, leads.Leads.Edges, 2)
		uma, chloe := leads.Leads.Edges[0].Node, leads.Leads.Edges[1].Node
		require.Equal(t, "Uma", uma.Name)
		require.Equal(t, []string{}, uma.Countries)
		require.Equal(t, "Dynamics CRM", uma.Expertises[0].Name)
		require.Equal(t, 1, uma.Mvps.TotalCount)
		require.Equal(t, "ada", uma.Mvps.Edges[0].Node.Handle)
		require.Equal(t, "INTERNATIONAL", chloe.Kind)
		require.Equal(t, []string{"CA"}, chloe.Countries)
		require.Equal(t, "jean", chloe.Mvps.Edges[0].Node.Handle)

		var member struct {
			Member *struct {
				ID     string
				Email  string
				City   string
				Awards []struct{ Member struct{ Handle string } }
			}
			Nobody *struct{ ID string }
		}
		a.do(&member, `{ member(handle: "ADA") { id email city awards { member { handle } } } nobody: member(handle: "nobody") { id } }`)
		require.Equal(t, ids["ada"], member.Member.ID)
		require.Equal(t, "ada@example.com", member.Member.Email)
		require.Equal(t, "ada", member.Member.Awards[0].Member.Handle)
		require.Nil(t, member.Nobody)

		var nodes struct {
			Node  struct{ Name string }
			Nodes []*struct {
				Typename string `json:"__typename"`
				ID       string
			}
		}
		a.do(&nodes, fmt.Sprintf(`{ node(id: %q) { ... on Expertise { name } } nodes(ids: [%q, %q, %q, %q, %q]) { __typename id } }`,
			ids["crm"], ids["ada"], ids["team"], ids["uma"], ids["adaCRM"], "TWVtYmVyOjk5OTk"))
		require.Equal(t, "Dynamics CRM", nodes.Node.Name)
		require.Equal(t, "Member", nodes.Nodes[0].Typename)
		require.Equal(t, "ProductTeam", nodes.Nodes[1].Typename)
		require.Equal(t, "Lead", nodes.Nodes[2].Typename)
		require.Equal(t, ids["adaCRM"], nodes.Nodes[3].ID)
		require.Nil(t, nodes.Nodes[4], "an unknown member is null")

		var teams struct {
			ProductTeams struct {
				Edges []struct {
					Node struct {
						Contacts   []struct{ Name, Email, Role string }
						Expertises []struct{ Name string }
					}
				}
			}
			Expertises struct {
				TotalCount int
				Edges      []struct {
					Node struct {
						Name string
						Mvps struct {
							Edges []struct{ Node struct{ Handle string } }
						}
					}
				}
			}
		}
		a.do(&teams, `{ productTeams { edges { node { contacts { name email role } expertises { name } } } }
			expertises(where: {category: {_eq: "Office"}}) { totalCount edges { node { name mvps { edges { node { handle } } } } } } }`)
		require.Equal(t, "pat@vendor.example", teams.ProductTeams.Edges[0].Node.Contacts[0].Email)
		require.Equal(t, "Dynamics CRM", teams.ProductTeams.Edges[0].Node.Expertises[0].Name)
		require.Equal(t, 1, teams.Expertises.TotalCount)
		require.Equal(t, "jean", teams.Expertises.Edges[0].Node.Mvps.Edges[0].Node.Handle)

		var stats struct {
			ProgramStats []struct {
				Country   *string
				Lead      *struct{ Name string }
				Expertise *struct{ Name string }
				Members   int
				Mvps      int
				Awards    int
			}
		}
		a.do(&stats, `{ programStats(groupBy: [COUNTRY, LEAD]) { country lead { name } expertise { name } members mvps awards } }`)
		require.Len(t, stats.ProgramStats, 3)
		require.Equal(t, "CA", *stats.ProgramStats[0].Country)
		require.Equal(t, "Chloe", stats.ProgramStats[0].Lead.Name)
		require.Equal(t, 1, stats.ProgramStats[0].Mvps)
		require.Nil(t, stats.ProgramStats[0].Expertise, "not grouped by expertise")
		require.Equal(t, "US", *stats.ProgramStats[1].Country)
		require.Equal(t, "Uma", stats.ProgramStats[1].Lead.Name)
		require.Nil(t, stats.ProgramStats[2].Lead, "the employee without award has no lead")

		// Renewal and employment, end to end.
		var renewed struct {
			RenewAward struct {
				Award struct {
					Year   int
					Member struct {
						Awards []struct {
							Year   int
							Status string
						}
					}
				}
			}
		}
		a.do(&renewed, fmt.Sprintf(`mutation { renewAward(input: {awardId: %q}) { award { year member { awards { year status } } } } }`, ids["adaCRM"]))
		require.Equal(t, 2027, renewed.RenewAward.Award.Year)
		require.Equal(t, "ALUMNI", renewed.RenewAward.Award.Member.Awards[1].Status)

		var hired struct {
			UpdateMember struct {
				Member struct {
					IsMvp  bool
					Awards []struct{ Status string }
					Leads  []struct{ Name string }
				}
			}
		}
		a.do(&hired, fmt.Sprintf(`mutation { updateMember(input: {id: %q, isEmployee: true}) { member { isMvp awards { status } leads { name } } } }`, ids["ada"]))
		require.False(t, hired.UpdateMember.Member.IsMvp)
		require.Equal(t, "RETIRED", hired.UpdateMember.Member.Awards[0].Status)
		require.Empty(t, hired.UpdateMember.Member.Leads)
	})
}
