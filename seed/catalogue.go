package seed

import (
	"strings"

	"mvpgraph"
	"mvpgraph/store"
)

// The catalogue is what every generated program shares: the product teams,
// the 40 expertises in 10 award categories, the 12 US leads who own them,
// and the 20 regions whose international leads own the countries.

// teamDef is a product team and its contacts (name and role).
type teamDef struct {
	name     string
	contacts [][2]string
}

var teams = []teamDef{
	{"Dynamics", [][2]string{{"Hannah Scott", "Program Manager"}, {"Victor Lang", "Engineering Manager"}, {"Rosa Delgado", "Support Escalation Engineer"}}},
	{"Windows Server", [][2]string{{"Paul Chen", "Program Manager"}, {"Nina Petrova", "Release Manager"}}},
	{"Windows Developer Platform", [][2]string{{"Samir Qureshi", "Program Manager"}, {"Ellen Park", "Developer Evangelist"}}},
	{"Identity & Management", [][2]string{{"Greg Wallace", "Program Manager"}, {"Tanya Brooks", "Support Escalation Engineer"}}},
	{"Windows Client", [][2]string{{"Liam Foster", "Program Manager"}, {"Ivy Chen", "Community Manager"}}},
	{"Xbox", [][2]string{{"Marcus Webb", "Community Manager"}, {"Dana Ortiz", "Program Manager"}}},
	{"Office", [][2]string{{"Claire Dubois", "Program Manager"}, {"Ben Harper", "Engineering Manager"}, {"Aisha Khan", "Product Marketing Manager"}}},
	{"Exchange & SharePoint", [][2]string{{"Derek Lyons", "Program Manager"}, {"Maria Santos", "Support Escalation Engineer"}}},
	{"Developer Division", [][2]string{{"Sean O'Neill", "Program Manager"}, {"Keiko Mori", "Engineering Manager"}, {"Raj Malhotra", "Developer Evangelist"}}},
	{"SQL Server", [][2]string{{"Olga Ivanova", "Program Manager"}, {"Tom Becker", "Support Escalation Engineer"}}},
	{"Azure", [][2]string{{"Lucy Grant", "Program Manager"}, {"André Silva", "Engineering Manager"}}},
}

// expertiseDef is an expertise, its award category and its product team.
type expertiseDef struct {
	name, category, team string
}

// expertises are numbered 1..40 in this order.
var expertises = []expertiseDef{
	{"Dynamics AX", "Business Solutions", "Dynamics"},
	{"Dynamics CRM", "Business Solutions", "Dynamics"},
	{"Dynamics GP", "Business Solutions", "Dynamics"},
	{"Dynamics NAV", "Business Solutions", "Dynamics"},
	{"Dynamics SL", "Business Solutions", "Dynamics"},
	{"Dynamics Retail Management Systems", "Business Solutions", "Dynamics"},
	{"Windows Server - Customer Experience", "Windows Server", "Windows Server"},
	{"Windows Server - Setup & Deployment", "Windows Server", "Windows Server"},
	{"Windows Server - Terminal Services", "Windows Server", "Windows Server"},
	{"Windows Server - Commerce Server", "Windows Server", "Windows Server"},
	{"Windows SDK", "Windows Development", "Windows Developer Platform"},
	{"Windows Driver Kit", "Windows Development", "Windows Developer Platform"},
	{"Windows App Development", "Windows Development", "Windows Developer Platform"},
	{"Directory Services", "Cloud and Datacenter Management", "Identity & Management"},
	{"Group Policy", "Cloud and Datacenter Management", "Identity & Management"},
	{"Hyper-V", "Cloud and Datacenter Management", "Identity & Management"},
	{"System Center", "Cloud and Datacenter Management", "Identity & Management"},
	{"Windows Expert - Consumer", "Windows and Devices", "Windows Client"},
	{"Windows Expert - IT Pro", "Windows and Devices", "Windows Client"},
	{"Xbox", "Windows and Devices", "Xbox"},
	{"Excel", "Office Apps & Services", "Office"},
	{"Word", "Office Apps & Services", "Office"},
	{"Outlook", "Office Apps & Services", "Office"},
	{"PowerPoint", "Office Apps & Services", "Office"},
	{"Access", "Office Apps & Services", "Office"},
	{"SharePoint Server", "Collaboration & Messaging", "Exchange & SharePoint"},
	{"Exchange Server", "Collaboration & Messaging", "Exchange & SharePoint"},
	{"Teams", "Collaboration & Messaging", "Exchange & SharePoint"},
	{"C#", "Developer Technologies", "Developer Division"},
	{"Visual Basic", "Developer Technologies", "Developer Division"},
	{"Visual C++", "Developer Technologies", "Developer Division"},
	{"ASP.NET/IIS", "Developer Technologies", "Developer Division"},
	{"Visual Studio", "Developer Technologies", "Developer Division"},
	{"Visual Studio ALM", "Developer Technologies", "Developer Division"},
	{"SQL Server", "Data Platform", "SQL Server"},
	{"SQL Server Reporting Services", "Data Platform", "SQL Server"},
	{"Power BI", "Data Platform", "SQL Server"},
	{"Azure Compute", "Azure", "Azure"},
	{"Azure DevOps", "Azure", "Azure"},
	{"Azure AI", "Azure", "Azure"},
}

// leadDef is a lead: for a US lead the expertises it owns, for an
// international lead its region (countries name the region they belong to).
type leadDef struct {
	name       string
	expertises []string
}

// DynamicsLead is the US lead who owns the Dynamics expertises, Windows SDK
// and the Windows Server expertises, in every program seed makes.
const DynamicsLead = "Morgan Ellis"

// usLeads are leads 1..12. Every expertise has exactly one.
var usLeads = []leadDef{
	{DynamicsLead, []string{
		"Dynamics AX", "Dynamics CRM", "Dynamics GP", "Dynamics NAV", "Dynamics SL", "Dynamics Retail Management Systems",
		"Windows SDK",
		"Windows Server - Customer Experience", "Windows Server - Setup & Deployment", "Windows Server - Terminal Services", "Windows Server - Commerce Server",
	}},
	{"Jordan Patel", []string{"Excel", "Word", "Outlook", "PowerPoint", "Access"}},
	{"Taylor Brooks", []string{"SharePoint Server", "Exchange Server", "Teams"}},
	{"Casey Nguyen", []string{"Visual Studio", "Visual Studio ALM"}},
	{"Riley Johnson", []string{"C#", "Visual Basic", "Visual C++"}},
	{"Avery Thompson", []string{"ASP.NET/IIS", "Windows App Development", "Windows Driver Kit"}},
	{"Jamie Rivera", []string{"Azure Compute", "Azure DevOps", "Azure AI"}},
	{"Drew Carter", []string{"SQL Server", "SQL Server Reporting Services", "Power BI"}},
	{"Cameron Walsh", []string{"Directory Services", "Group Policy"}},
	{"Alex Kim", []string{"Hyper-V", "System Center"}},
	{"Quinn Foster", []string{"Windows Expert - Consumer", "Windows Expert - IT Pro"}},
	{"Harper Diaz", []string{"Xbox"}},
}

// CanadaLead is the international lead who owns Canada.
const CanadaLead = "Émilie Gagnon"

// regions are the international leads, by region index.
var regions = []string{
	CanadaLead,        // 0 Canada
	"Oliver Bennett",  // 1 United Kingdom & Ireland
	"Katharina Weber", // 2 Germany, Austria & Switzerland
	"Julien Moreau",   // 3 France & North Africa
	"Sanne de Vries",  // 4 Benelux
	"Erik Lindqvist",  // 5 Nordics & Baltics
	"Lucía Fernández", // 6 Spain & Portugal
	"Giulia Romano",   // 7 Italy & Southeast Europe
	"Tomasz Kowalski", // 8 Central & Eastern Europe
	"Priya Raman",     // 9 India & South Asia
	"Yuki Tanaka",     // 10 Japan
	"Mei Lin",         // 11 Greater China
	"Min-jun Park",    // 12 Korea
	"Arif Rahman",     // 13 Southeast Asia
	"Chloe Mitchell",  // 14 Australia & New Zealand
	"Rafael Costa",    // 15 Brazil
	"Sofía Hernández", // 16 Mexico, Central America & Caribbean
	"Martín Gómez",    // 17 South America
	"Leila Nasser",    // 18 Middle East
	"Thabo Nkosi",     // 19 Sub-Saharan Africa
}

// countryDef is a country members live in: its relative share of members,
// the region (international lead) owning it, -1 for the US, the locales its
// names come from, and its cities.
type countryDef struct {
	code    string
	weight  int
	region  int
	locales []string
	cities  []string
}

// countries are ordered by weight, roughly the real program's spread: the
// US first, then India, the UK, Germany, Brazil, Japan, Canada...
var countries = []countryDef{
	{"US", 300, -1, []string{"en"}, []string{"Seattle", "Redmond", "New York", "San Francisco", "Austin", "Chicago", "Boston", "Atlanta", "Denver", "Dallas", "Raleigh", "Minneapolis", "Phoenix", "Portland", "Miami"}},
	{"IN", 90, 9, []string{"in"}, []string{"Bengaluru", "Hyderabad", "Pune", "Chennai", "Mumbai", "New Delhi", "Kolkata", "Ahmedabad"}},
	{"GB", 80, 1, []string{"en"}, []string{"London", "Manchester", "Edinburgh", "Birmingham", "Bristol", "Leeds", "Cambridge", "Glasgow"}},
	{"DE", 75, 2, []string{"de"}, []string{"Berlin", "Munich", "Hamburg", "Cologne", "Frankfurt", "Stuttgart", "Düsseldorf", "Leipzig"}},
	{"BR", 60, 15, []string{"pt"}, []string{"São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba", "Porto Alegre", "Recife", "Brasília"}},
	{"JP", 60, 10, []string{"ja"}, []string{"Tokyo", "Osaka", "Yokohama", "Nagoya", "Fukuoka", "Sapporo", "Kyoto"}},
	{"CA", 55, 0, []string{"en", "fr"}, []string{"Toronto", "Montréal", "Vancouver", "Ottawa", "Calgary", "Québec City", "Winnipeg", "Halifax"}},
	{"FR", 40, 3, []string{"fr"}, []string{"Paris", "Lyon", "Toulouse", "Nantes", "Lille", "Bordeaux", "Marseille"}},
	{"AU", 40, 14, []string{"en"}, []string{"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Canberra"}},
	{"NL", 35, 4, []string{"nl"}, []string{"Amsterdam", "Utrecht", "Rotterdam", "Eindhoven", "The Hague"}},
	{"ES", 30, 6, []string{"es"}, []string{"Madrid", "Barcelona", "Valencia", "Seville", "Bilbao", "Málaga"}},
	{"CN", 30, 11, []string{"zh"}, []string{"Beijing", "Shanghai", "Shenzhen", "Hangzhou", "Guangzhou", "Chengdu"}},
	{"IT", 28, 7, []string{"it"}, []string{"Milan", "Rome", "Turin", "Bologna", "Florence", "Naples"}},
	{"KR", 25, 12, []string{"ko"}, []string{"Seoul", "Busan", "Incheon", "Daejeon"}},
	{"TW", 22, 11, []string{"zh"}, []string{"Taipei", "Hsinchu", "Taichung", "Kaohsiung"}},
	{"SE", 20, 5, []string{"nordic"}, []string{"Stockholm", "Gothenburg", "Malmö", "Uppsala"}},
	{"PL", 20, 8, []string{"cee"}, []string{"Warsaw", "Kraków", "Wrocław", "Gdańsk", "Poznań"}},
	{"MX", 18, 16, []string{"es"}, []string{"Mexico City", "Guadalajara", "Monterrey", "Puebla"}},
	{"CH", 16, 2, []string{"de", "fr"}, []string{"Zürich", "Geneva", "Basel", "Bern", "Lausanne"}},
	{"AR", 15, 17, []string{"es"}, []string{"Buenos Aires", "Córdoba", "Rosario", "Mendoza"}},
	{"BE", 14, 4, []string{"nl", "fr"}, []string{"Brussels", "Antwerp", "Ghent", "Leuven", "Liège"}},
	{"DK", 14, 5, []string{"nordic"}, []string{"Copenhagen", "Aarhus", "Odense"}},
	{"NO", 14, 5, []string{"nordic"}, []string{"Oslo", "Bergen", "Trondheim"}},
	{"AT", 13, 2, []string{"de"}, []string{"Vienna", "Graz", "Linz", "Salzburg"}},
	{"IE", 12, 1, []string{"en"}, []string{"Dublin", "Cork", "Galway"}},
	{"PT", 12, 6, []string{"pt"}, []string{"Lisbon", "Porto", "Braga"}},
	{"CZ", 12, 8, []string{"cee"}, []string{"Prague", "Brno", "Ostrava"}},
	{"FI", 11, 5, []string{"nordic"}, []string{"Helsinki", "Espoo", "Tampere", "Oulu"}},
	{"SG", 11, 13, []string{"sea", "zh"}, []string{"Singapore"}},
	{"NZ", 10, 14, []string{"en"}, []string{"Auckland", "Wellington", "Christchurch"}},
	{"IL", 10, 18, []string{"he"}, []string{"Tel Aviv", "Haifa", "Jerusalem"}},
	{"TR", 10, 18, []string{"tr"}, []string{"Istanbul", "Ankara", "Izmir"}},
	{"ZA", 10, 19, []string{"africa", "en"}, []string{"Johannesburg", "Cape Town", "Durban", "Pretoria"}},
	{"CO", 9, 17, []string{"es"}, []string{"Bogotá", "Medellín", "Cali"}},
	{"CL", 9, 17, []string{"es"}, []string{"Santiago", "Valparaíso", "Concepción"}},
	{"HK", 8, 11, []string{"zh"}, []string{"Hong Kong"}},
	{"PH", 8, 13, []string{"sea"}, []string{"Manila", "Cebu", "Davao"}},
	{"MY", 8, 13, []string{"sea"}, []string{"Kuala Lumpur", "Penang", "Johor Bahru"}},
	{"UA", 8, 8, []string{"cee"}, []string{"Kyiv", "Lviv", "Kharkiv", "Odesa"}},
	{"TH", 7, 13, []string{"sea"}, []string{"Bangkok", "Chiang Mai"}},
	{"ID", 7, 13, []string{"sea"}, []string{"Jakarta", "Bandung", "Surabaya"}},
	{"RU", 6, 8, []string{"cee"}, []string{"Moscow", "Saint Petersburg", "Novosibirsk"}},
	{"AE", 6, 18, []string{"ar"}, []string{"Dubai", "Abu Dhabi"}},
	{"EG", 6, 18, []string{"ar"}, []string{"Cairo", "Alexandria"}},
	{"NG", 6, 19, []string{"africa"}, []string{"Lagos", "Abuja"}},
	{"VN", 6, 13, []string{"sea"}, []string{"Ho Chi Minh City", "Hanoi", "Da Nang"}},
	{"HU", 6, 8, []string{"cee"}, []string{"Budapest", "Debrecen"}},
	{"RO", 6, 8, []string{"cee"}, []string{"Bucharest", "Cluj-Napoca", "Iași"}},
	{"GR", 5, 7, []string{"el"}, []string{"Athens", "Thessaloniki"}},
	{"SK", 5, 8, []string{"cee"}, []string{"Bratislava", "Košice"}},
	{"KE", 5, 19, []string{"africa"}, []string{"Nairobi", "Mombasa"}},
	{"PK", 5, 9, []string{"in"}, []string{"Karachi", "Lahore", "Islamabad"}},
	{"HR", 4, 7, []string{"cee"}, []string{"Zagreb", "Split"}},
	{"SI", 4, 7, []string{"cee"}, []string{"Ljubljana", "Maribor"}},
	{"RS", 4, 7, []string{"cee"}, []string{"Belgrade", "Novi Sad"}},
	{"BG", 4, 7, []string{"cee"}, []string{"Sofia", "Plovdiv"}},
	{"BD", 4, 9, []string{"in"}, []string{"Dhaka", "Chittagong"}},
	{"SA", 4, 18, []string{"ar"}, []string{"Riyadh", "Jeddah"}},
	{"PE", 4, 17, []string{"es"}, []string{"Lima", "Arequipa"}},
	{"LT", 3, 5, []string{"cee"}, []string{"Vilnius", "Kaunas"}},
	{"LV", 3, 5, []string{"cee"}, []string{"Riga"}},
	{"EE", 3, 5, []string{"cee"}, []string{"Tallinn", "Tartu"}},
	{"LK", 3, 9, []string{"in"}, []string{"Colombo", "Kandy"}},
	{"MA", 3, 3, []string{"ar", "fr"}, []string{"Casablanca", "Rabat"}},
	{"VE", 3, 17, []string{"es"}, []string{"Caracas", "Maracaibo"}},
	{"IS", 2, 5, []string{"nordic"}, []string{"Reykjavík"}},
	{"LU", 2, 4, []string{"fr", "de"}, []string{"Luxembourg"}},
	{"NP", 2, 9, []string{"in"}, []string{"Kathmandu"}},
	{"QA", 2, 18, []string{"ar"}, []string{"Doha"}},
	{"KW", 2, 18, []string{"ar"}, []string{"Kuwait City"}},
	{"JO", 2, 18, []string{"ar"}, []string{"Amman"}},
	{"LB", 2, 18, []string{"ar"}, []string{"Beirut"}},
	{"TN", 2, 3, []string{"ar", "fr"}, []string{"Tunis"}},
	{"DZ", 2, 3, []string{"ar", "fr"}, []string{"Algiers", "Oran"}},
	{"GH", 2, 19, []string{"africa"}, []string{"Accra", "Kumasi"}},
	{"EC", 2, 17, []string{"es"}, []string{"Quito", "Guayaquil"}},
	{"UY", 2, 17, []string{"es"}, []string{"Montevideo"}},
	{"CR", 2, 16, []string{"es"}, []string{"San José"}},
	{"PR", 2, 16, []string{"es", "en"}, []string{"San Juan"}},
	{"BY", 2, 8, []string{"cee"}, []string{"Minsk"}},
	{"KZ", 2, 8, []string{"cee"}, []string{"Almaty", "Astana"}},
	{"UG", 1, 19, []string{"africa"}, []string{"Kampala"}},
	{"TZ", 1, 19, []string{"africa"}, []string{"Dar es Salaam"}},
	{"ET", 1, 19, []string{"africa"}, []string{"Addis Ababa"}},
	{"PA", 1, 16, []string{"es"}, []string{"Panama City"}},
	{"GT", 1, 16, []string{"es"}, []string{"Guatemala City"}},
	{"DO", 1, 16, []string{"es"}, []string{"Santo Domingo"}},
	{"GE", 1, 8, []string{"cee"}, []string{"Tbilisi"}},
	{"AM", 1, 8, []string{"cee"}, []string{"Yerevan"}},
	{"CY", 1, 7, []string{"el"}, []string{"Nicosia", "Limassol"}},
	{"MT", 1, 7, []string{"it", "en"}, []string{"Valletta"}},
	{"MU", 1, 19, []string{"africa", "fr"}, []string{"Port Louis"}},
	{"JM", 1, 16, []string{"en"}, []string{"Kingston"}},
	{"TT", 1, 16, []string{"en"}, []string{"Port of Spain"}},
}

// vendorDomain is the vendor's mail domain; .example is reserved, so no
// generated address reaches anyone.
const vendorDomain = "vendor.example"

// vendorEmail is a vendor employee's address, first.last@vendor.example.
func vendorEmail(name string) string {
	first, last, _ := strings.Cut(name, " ")
	return slug(first) + "." + slug(last) + "@" + vendorDomain
}

// catalogue returns the program's product teams, expertises and leads, with
// the international leads of the regions that cs touch owning cs (the US
// excepted). IDs are numbered from 1 in catalogue order.
func catalogue(cs []countryDef) *store.Program {
	p := &store.Program{}
	teamID := map[string]int64{}
	for _, t := range teams {
		id := int64(len(p.ProductTeams) + 1)
		teamID[t.name] = id
		p.ProductTeams = append(p.ProductTeams, mvpgraph.ProductTeam{ID: id, Name: t.name})
		for _, c := range t.contacts {
			p.Contacts = append(p.Contacts, mvpgraph.Contact{
				ID: int64(len(p.Contacts) + 1), ProductTeamID: id, Name: c[0], Email: vendorEmail(c[0]), Role: c[1],
			})
		}
	}
	expertiseID := map[string]int64{}
	for i, e := range expertises {
		id := int64(i + 1)
		expertiseID[e.name] = id
		team := teamID[e.team]
		p.Expertises = append(p.Expertises, mvpgraph.Expertise{ID: id, Name: e.name, Category: e.category, ProductTeamID: &team})
	}
	for _, l := range usLeads {
		id := int64(len(p.Leads) + 1)
		p.Leads = append(p.Leads, mvpgraph.Lead{ID: id, Name: l.name, Email: vendorEmail(l.name), Kind: mvpgraph.LeadUS})
		for _, e := range l.expertises {
			p.ExpertiseOwners = append(p.ExpertiseOwners, store.ExpertiseOwner{ExpertiseID: expertiseID[e], LeadID: id})
		}
	}
	regionLead := map[int]int64{}
	for r, name := range regions {
		for _, c := range cs {
			if c.region != r {
				continue
			}
			if regionLead[r] == 0 {
				regionLead[r] = int64(len(p.Leads) + 1)
				p.Leads = append(p.Leads, mvpgraph.Lead{ID: regionLead[r], Name: name, Email: vendorEmail(name), Kind: mvpgraph.LeadInternational})
			}
			p.CountryOwners = append(p.CountryOwners, store.CountryOwner{Country: c.code, LeadID: regionLead[r]})
		}
	}
	return p
}

// translit spells the accented letters of the generated names in ASCII,
// for handles and email addresses.
var translit = map[rune]string{
	'á': "a", 'à': "a", 'â': "a", 'ä': "a", 'ã': "a", 'å': "a", 'ā': "a",
	'é': "e", 'è': "e", 'ê': "e", 'ë': "e", 'ě': "e", 'ē': "e",
	'í': "i", 'ì': "i", 'î': "i", 'ï': "i", 'ı': "i", 'ī': "i",
	'ó': "o", 'ò': "o", 'ô': "o", 'ö': "o", 'õ': "o", 'ø': "o",
	'ú': "u", 'ù': "u", 'û': "u", 'ü': "u", 'ū': "u",
	'ç': "c", 'č': "c", 'ć': "c", 'ñ': "n", 'ń': "n", 'ņ': "n",
	'ś': "s", 'š': "s", 'ş': "s", 'ž': "z", 'ź': "z", 'ż': "z",
	'ł': "l", 'ř': "r", 'ý': "y", 'ğ': "g", 'đ': "d", 'ß': "ss", 'æ': "ae",
}

// slug spells a name part as handle text: lower-case ASCII letters and
// digits, with a dash where the name has a space or dash.
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-':
			if b.Len() > 0 && !strings.HasSuffix(b.String(), "-") {
				b.WriteByte('-')
			}
		default:
			b.WriteString(translit[r])
		}
	}
	return strings.TrimRight(b.String(), "-")
}
