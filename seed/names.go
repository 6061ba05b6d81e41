package seed

import "strings"

// locale holds the first and last names of one naming tradition.
type locale struct {
	first, last []string
}

var locales = map[string]locale{
	"en": {
		strings.Fields("James Emma Michael Olivia David Sarah Daniel Emily Matthew Jessica Andrew Laura Ryan Rachel Chris Megan Kevin Hannah Brian Lauren Jason Amy Marcus Grace"),
		strings.Fields("Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor Thomas Moore Martin Jackson Thompson White Harris Clark Lewis Walker Young Allen O'Brien Campbell Murphy Kelly"),
	},
	"de": {
		strings.Fields("Lukas Anna Jonas Lea Felix Laura Maximilian Sophie Tobias Julia Sebastian Katrin Florian Miriam Jan Sabine Jürgen Anke"),
		strings.Fields("Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Schröder Neumann Braun Krüger"),
	},
	"fr": {
		strings.Fields("Jean Marie Pierre Camille Nicolas Julie Thomas Claire Antoine Élodie François Chloé Mathieu Sophie Guillaume Amélie"),
		strings.Fields("Martin Bernard Dubois Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Roux Fournier Girard Tremblay Gagnon Bouchard Côté"),
	},
	"es": {
		strings.Fields("José María Carlos Lucía Javier Ana Miguel Carmen Alejandro Laura Diego Sofía Pablo Elena Andrés Valentina"),
		strings.Fields("García Rodríguez González Fernández López Martínez Sánchez Pérez Gómez Martín Jiménez Ruiz Hernández Díaz Moreno Álvarez Torres Ramírez"),
	},
	"pt": {
		strings.Fields("João Ana Pedro Mariana Lucas Beatriz Gabriel Juliana Rafael Camila Thiago Fernanda Bruno Larissa Felipe Inês"),
		strings.Fields("Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida Araújo"),
	},
	"it": {
		strings.Fields("Marco Giulia Alessandro Francesca Luca Chiara Matteo Sara Andrea Valentina Davide Elena Federico Martina Stefano Paola"),
		strings.Fields("Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco Bruno Gallo Conti Costa Giordano Lombardi"),
	},
	"nl": {
		strings.Fields("Daan Sanne Thijs Lotte Bram Femke Jeroen Anouk Sven Eva Ruben Iris Pieter Marieke Wouter Lieke"),
		[]string{"de Jong", "Jansen", "de Vries", "van den Berg", "van Dijk", "Bakker", "Janssen", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "Peeters", "Maes", "Willems", "Claes"},
	},
	"nordic": {
		strings.Fields("Erik Anna Lars Ingrid Johan Sofia Magnus Elin Mikael Karin Anders Sara Henrik Maja Jukka Aino Ole Freja"),
		strings.Fields("Andersson Johansson Karlsson Nilsson Eriksson Larsen Hansen Nielsen Jensen Olsen Johansen Virtanen Korhonen Mäkinen Lindqvist Berg Holm Jónsson"),
	},
	"cee": {
		strings.Fields("Piotr Anna Tomasz Katarzyna Jan Eva Marek Agnieszka Pavel Lucie Andrei Ioana Dmytro Olena Bence Zsófia Luka Ana Ivan Marta"),
		strings.Fields("Kowalski Nowak Wiśniewski Novák Svoboda Dvořák Horváth Nagy Popescu Ionescu Shevchenko Kovalenko Petrović Jovanović Horvat Ivanov Petrov Kazlauskas Bērziņš Tamm"),
	},
	"in": {
		strings.Fields("Rahul Priya Amit Ananya Vikram Divya Arjun Sneha Karthik Pooja Sanjay Lakshmi Rohan Meera Imran Ayesha"),
		strings.Fields("Sharma Patel Gupta Kumar Singh Reddy Iyer Nair Rao Menon Joshi Mehta Das Chatterjee Khan Hussain Perera Shrestha"),
	},
	"ja": {
		strings.Fields("Kenji Yuki Takashi Aiko Hiroshi Sakura Daisuke Haruka Kazuki Naoko Shota Emi Ryo Mai"),
		strings.Fields("Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato Yoshida Yamada Sasaki Matsumoto"),
	},
	"zh": {
		strings.Fields("Wei Fang Jun Li Hao Xin Ming Yan Jie Ling Yu Tao Mei Kai Hui Jia"),
		strings.Fields("Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou Lin Lee Chang Cheng Wong Chan"),
	},
	"ko": {
		strings.Fields("Min-jun Seo-yeon Ji-hoon Ji-woo Hyun-woo Soo-jin Dong-hyun Eun-ji Sung-min Ha-eun"),
		strings.Fields("Kim Lee Park Choi Jung Kang Cho Yoon Jang Lim"),
	},
	"sea": {
		strings.Fields("Ahmad Nurul Budi Dewi Somchai Siriporn Minh Linh Jose Maria Rizal Farah Tuan Anh Kiet Mei"),
		strings.Fields("Tan Lim Lee Wong Abdullah Rahman Santoso Wijaya Nguyen Tran Pham Le Reyes Santos Cruz Chaiyaporn"),
	},
	"ar": {
		strings.Fields("Ahmed Fatima Mohamed Layla Omar Nour Youssef Mariam Khaled Sara Karim Hana Tarek Rania"),
		strings.Fields("Hassan Ali Ibrahim Mahmoud Haddad Nasser Khalil Saleh Mansour Farouk Aziz El-Amin Benali Bouzid"),
	},
	"he": {
		strings.Fields("Noa Yonatan Tamar Itai Maya Eitan Shira Omer Yael Amit"),
		strings.Fields("Cohen Levi Mizrahi Peretz Biton Friedman Shapiro Katz Golan Ben-David"),
	},
	"tr": {
		strings.Fields("Mehmet Ayşe Mustafa Zeynep Emre Elif Burak Selin Can Deniz"),
		strings.Fields("Yılmaz Kaya Demir Şahin Çelik Yıldız Öztürk Aydın Arslan Doğan"),
	},
	"africa": {
		strings.Fields("Thabo Naledi Chinedu Ngozi Kwame Ama Tendai Wanjiru Sipho Amara Kofi Zanele Musa Aisha"),
		[]string{"Nkosi", "Dlamini", "Okafor", "Adeyemi", "Mensah", "Mwangi", "Otieno", "Okonkwo", "Botha", "van der Merwe", "Naidoo", "Moyo", "Kamau", "Osei"},
	},
	"el": {
		strings.Fields("Giorgos Maria Nikos Eleni Dimitris Katerina Kostas Sofia Yannis Anna"),
		strings.Fields("Papadopoulos Georgiou Nikolaou Konstantinou Christodoulou Ioannou Pappas Vlachos"),
	},
}

// employers of members who are not the vendor's employees; the names are
// the vendor's traditional fictitious companies.
var employers = []string{
	"Contoso", "Fabrikam", "Northwind Traders", "Adventure Works", "Tailspin Toys", "Wingtip Toys",
	"Woodgrove Bank", "Litware", "Proseware", "Fourth Coffee", "Alpine Ski House", "Coho Winery",
	"Trey Research", "Blue Yonder Airlines", "Humongous Insurance", "Lucerne Publishing",
	"Margie's Travel", "Wide World Importers", "Relecloud", "VanArsdel", "Self-employed",
	"Independent consultant",
}

// vendor is the employer of members who work for the vendor.
const vendor = "Microsoft"

// bios are filled with an expertise (%[1]s), a city (%[2]s) and a number of
// years (%[3]d).
var bios = []string{
	"Works with %[1]s every day and writes about it on a personal blog.",
	"Runs the %[2]s %[1]s user group and speaks at community events.",
	"Answers %[1]s questions in the forums; %[3]d years in the field.",
	"Consultant focused on %[1]s; organises meetups in %[2]s.",
	"Trainer and author on %[1]s, posting how-to videos every week.",
	"Long-time %[1]s community member who maintains open-source tools for it.",
	"Architect in %[2]s helping customers adopt %[1]s, %[3]d years and counting.",
	"Streams live %[1]s sessions and hosts a podcast about the product.",
}
