"""Source texts for the labelled dedupe set (written for this project; fictional events).

Each STORY has: headline, paragraphs, ``update`` (paragraphs an agency update
adds), ``fix`` (a (wrong, right) substitution a correction makes in the text).
Each TEMPLATE is a recurring report: ``fill(i)`` returns (headline, paragraphs)
for the i-th day/company, with different numbers, dates or names each time.
"""

from __future__ import annotations

STORIES: list[dict] = [
    {
        "headline": "Magnitude 6.8 quake strikes off northern Chile, two dead",
        "paras": [
            "SANTIAGO (Reuters) - A magnitude 6.8 earthquake struck off the coast of northern Chile on Tuesday, "
            "killing two people in the port city of Antofagasta and knocking out power to about 40,000 homes, "
            "the national emergency office said.",
            "The quake hit at 0412 GMT at a depth of 35 km, about 60 km north-west of Antofagasta, according to "
            "the U.S. Geological Survey. Residents of low-lying areas were told to move to higher ground as a "
            "precaution.",
            "The navy's hydrographic service later said there was no risk of a tsunami and lifted the "
            "precautionary evacuation order.",
            "Mining company Escondida, the world's largest copper mine, said operations were normal and that "
            "it was inspecting its facilities.",
        ],
        "update": [
            "Interior Minister Carolina Toha told reporters that rescue teams had pulled four people alive from "
            "a collapsed hostel near the waterfront and that the search would continue through the night.",
            "Copper prices rose 1.2 percent on the London Metal Exchange as traders weighed the risk of "
            "disruption to supply from the region, which produces about a quarter of the world's copper.",
        ],
        "fix": ("killing two people", "killing three people"),
    },
    {
        "headline": "Dutch central bank raises growth forecast on stronger exports",
        "paras": [
            "AMSTERDAM (Reuters) - The Dutch central bank raised its forecast for economic growth this year to "
            "1.4 percent from 0.9 percent on Monday, citing a stronger-than-expected recovery in exports to "
            "Germany and Belgium.",
            "De Nederlandsche Bank said household spending would also pick up as inflation eased, but warned "
            "that a shortage of workers in construction and healthcare would hold back growth next year.",
            "It kept its forecast for 2026 unchanged at 1.6 percent and said inflation would average 2.7 "
            "percent this year, down from 4.1 percent in 2024.",
        ],
        "update": [
            "Finance Minister Eelco Heinen welcomed the forecast but said the government would stick to its "
            "plan to cut spending by 2 billion euros next year to keep the budget deficit below 3 percent of "
            "gross domestic product.",
        ],
        "fix": ("to 1.4 percent", "to 1.5 percent"),
    },
    {
        "headline": "Fire at Lagos market destroys hundreds of stalls",
        "paras": [
            "LAGOS (Reuters) - A fire swept through a crowded market on Lagos Island overnight, destroying "
            "hundreds of stalls selling textiles and electronics, the state emergency agency said on Thursday.",
            "No deaths were reported, but traders said goods worth millions of naira had been lost. The blaze "
            "started shortly after midnight and took firefighters more than five hours to bring under control.",
            "Firefighters struggled to reach the heart of the market through narrow lanes blocked by parked "
            "trucks, said Ibrahim Farinloye, a spokesman for the agency.",
            "Lagos markets are frequently hit by fires, often blamed on faulty wiring and the use of diesel "
            "generators during power cuts.",
        ],
        "update": [
            "Governor Babajide Sanwo-Olu visited the site on Thursday afternoon and promised a relief fund of "
            "500 million naira for traders who lost their goods.",
        ],
        "fix": ("hundreds of stalls", "about 200 stalls"),
    },
    {
        "headline": "Airline Nordavia to buy 30 Airbus jets in fleet renewal",
        "paras": [
            "OSLO (Reuters) - Norwegian regional carrier Nordavia has agreed to buy 30 Airbus A220 jets to "
            "replace its ageing turboprop fleet, the company said on Wednesday, in a deal worth about $2.7 "
            "billion at list prices.",
            "The aircraft will be delivered between 2027 and 2031 and will allow the airline to open routes to "
            "Poland and the Baltic states, Chief Executive Marit Solberg told a news conference.",
            "Nordavia said it would finance the purchase through a mix of sale-and-leaseback deals and cash, "
            "and that it did not plan to raise new equity.",
            "Shares in the company rose 6 percent in early trading in Oslo.",
        ],
        "update": [
            "Analysts at DNB Markets said the order was larger than expected and would lift the carrier's "
            "capacity by around 35 percent once all the jets were delivered.",
            "Airbus said in a separate statement that the order included purchase rights for a further ten "
            "aircraft.",
        ],
        "fix": ("30 Airbus A220 jets", "32 Airbus A220 jets"),
    },
    {
        "headline": "Kenya's central bank holds key rate at 10.75 percent",
        "paras": [
            "NAIROBI (Reuters) - Kenya's central bank kept its benchmark lending rate unchanged at 10.75 "
            "percent on Tuesday, saying inflation remained within its target range and the shilling was stable.",
            "Governor Kamau Thugge told reporters the bank expected inflation to stay below the midpoint of "
            "its 2.5 percent to 7.5 percent target range in the coming months.",
            "The decision was in line with a Reuters poll of analysts, nine of whom expected no change.",
        ],
        "update": [
            "The bank also said it had cut the cash reserve ratio for commercial banks to 3.25 percent from "
            "4.25 percent to encourage lending to small businesses.",
        ],
        "fix": ("nine of whom", "eight of whom"),
    },
    {
        "headline": "Heatwave forces Spanish schools to shorten day",
        "paras": [
            "MADRID (Reuters) - Schools in four Spanish regions will close at midday for the rest of the week "
            "as temperatures are forecast to top 42 degrees Celsius, regional authorities said on Monday.",
            "The state weather agency AEMET issued red alerts for Andalusia, Extremadura, Murcia and parts of "
            "Castilla-La Mancha, warning that nights would also stay unusually hot.",
            "Teachers' unions have long complained that many school buildings lack air conditioning, and "
            "parents in Seville staged a protest last month demanding better ventilation.",
            "Spain recorded its hottest summer on record last year, with more than 2,000 deaths attributed to "
            "heat, according to the Carlos III health institute.",
        ],
        "update": [
            "Education Minister Pilar Alegria said the government would release 150 million euros to install "
            "cooling systems in schools before next summer.",
        ],
        "fix": ("four Spanish regions", "five Spanish regions"),
    },
    {
        "headline": "Toyota recalls 280,000 vehicles over faulty airbag sensor",
        "paras": [
            "TOKYO (Reuters) - Toyota Motor Corp is recalling about 280,000 vehicles in the United States "
            "because a faulty sensor may stop the front passenger airbag from deploying in a crash, the "
            "carmaker said on Friday.",
            "The recall covers some 2022 to 2024 Corolla Cross and RAV4 models. Toyota said it was not aware of "
            "any injuries linked to the problem.",
            "Dealers will replace the sensor free of charge, and owners will be notified by letter from "
            "mid-December.",
        ],
        "update": [
            "The National Highway Traffic Safety Administration said in a filing that the sensor could crack "
            "in cold weather, causing the system to misclassify an adult passenger as a child.",
            "Toyota shares closed down 0.8 percent in Tokyo before the announcement.",
        ],
        "fix": ("about 280,000 vehicles", "about 208,000 vehicles"),
    },
    {
        "headline": "Indonesian volcano erupts, flights diverted from Bali",
        "paras": [
            "JAKARTA (Reuters) - Mount Lewotobi Laki-laki on the Indonesian island of Flores erupted on "
            "Saturday, sending an ash column 9 km into the sky and forcing several airlines to cancel or divert "
            "flights to and from Bali.",
            "The volcanology agency raised the alert to its highest level and widened the exclusion zone around "
            "the crater to 8 km. About 4,000 villagers were moved to temporary shelters.",
            "Virgin Australia and Jetstar said they had cancelled flights between Bali and Australian cities "
            "until the ash cloud cleared.",
        ],
        "update": [
            "Bali's airport authority said the airport itself remained open but that 48 international flights "
            "had been cancelled by Saturday evening, stranding thousands of holidaymakers.",
        ],
        "fix": ("9 km into the sky", "10 km into the sky"),
    },
    {
        "headline": "Swiss voters reject plan to extend motorways",
        "paras": [
            "ZURICH (Reuters) - Swiss voters on Sunday narrowly rejected a government plan to widen six "
            "stretches of motorway, dealing a blow to the transport ministry and a victory to environmental "
            "groups that had campaigned against it.",
            "Final results showed 52.7 percent of voters opposed the 4.9 billion Swiss franc project, with "
            "turnout at 45 percent.",
            "Opponents argued that wider roads would only attract more traffic and increase emissions, while "
            "supporters said the bottlenecks cost the economy more than 1 billion francs a year.",
            "Transport Minister Albert Roesti said he respected the vote and would look for other ways to ease "
            "congestion.",
        ],
        "update": [
            "The rejection was strongest in the French-speaking cantons of Geneva and Vaud, where more than 60 "
            "percent voted no, while German-speaking rural areas largely backed the plan.",
        ],
        "fix": ("52.7 percent", "52.9 percent"),
    },
    {
        "headline": "Chipmaker Veltronic to build $4 billion plant in Arizona",
        "paras": [
            "SAN FRANCISCO (Reuters) - Chipmaker Veltronic Inc will build a $4 billion plant in Arizona to make "
            "power semiconductors for electric vehicles, the company said on Thursday, creating about 1,800 jobs.",
            "Construction of the plant near Phoenix will begin next year, with production due to start in 2028, "
            "Veltronic said. The company expects to receive federal grants under the CHIPS Act.",
            "Chief Executive Dana Whitcombe said demand from carmakers had recovered after a slowdown in the "
            "first half and that the company needed more capacity in the United States.",
        ],
        "update": [
            "Arizona Governor Katie Hobbs said the state would provide $120 million in training grants and road "
            "improvements around the site.",
            "Veltronic shares rose 4.5 percent in extended trading.",
        ],
        "fix": ("about 1,800 jobs", "about 1,500 jobs"),
    },
    {
        "headline": "Thousands march in Buenos Aires against university budget cuts",
        "paras": [
            "BUENOS AIRES (Reuters) - Tens of thousands of students and teachers marched through Buenos Aires "
            "on Wednesday to protest against cuts to public university funding by President Javier Milei's "
            "government.",
            "The march, one of the largest since Milei took office, ended outside Congress, where lawmakers are "
            "debating a bill to raise university budgets in line with inflation.",
            "The government says the cuts are needed to balance the budget and has accused university "
            "authorities of failing to account for how they spend public money.",
            "Similar protests were held in Cordoba, Rosario and Mendoza.",
        ],
        "update": [
            "Police estimated the crowd in the capital at 270,000 people, while organisers said more than "
            "800,000 had taken part across the country.",
        ],
        "fix": ("Tens of thousands", "Hundreds of thousands"),
    },
    {
        "headline": "EU fines shipping firms 395 million euros for price fixing",
        "paras": [
            "BRUSSELS (Reuters) - The European Commission fined five container shipping companies a total of "
            "395 million euros on Thursday for coordinating surcharges on routes between Asia and Europe "
            "between 2016 and 2020.",
            "The companies exchanged information about planned surcharges through an industry association, the "
            "EU competition authority said in a statement.",
            "One company received immunity for revealing the cartel, while the others had their fines cut for "
            "cooperating with the investigation.",
        ],
        "update": [
            "Competition Commissioner Teresa Ribera said the cartel had raised costs for European importers at "
            "a time when supply chains were already under severe strain.",
        ],
        "fix": ("five container shipping companies", "four container shipping companies"),
    },
    {
        "headline": "Australian police arrest man over Melbourne warehouse blaze",
        "paras": [
            "SYDNEY (Reuters) - Australian police on Monday arrested a 34-year-old man in connection with a "
            "fire that destroyed a warehouse in Melbourne's west and sent toxic smoke over nearby suburbs last "
            "week.",
            "The man was charged with arson and is due to appear at Melbourne Magistrates' Court on Tuesday, "
            "Victoria Police said in a statement.",
            "The blaze at the chemicals storage site in Derrimut burned for more than two days and forced "
            "authorities to close schools and tell residents to keep their windows shut.",
        ],
        "update": [
            "Detectives said they were still looking for a second man seen leaving the site in a white van "
            "shortly before the fire started.",
        ],
        "fix": ("a 34-year-old man", "a 43-year-old man"),
    },
    {
        "headline": "Brazil soy harvest seen at record 172 million tonnes",
        "paras": [
            "SAO PAULO (Reuters) - Brazil's soybean harvest will reach a record 172 million tonnes in the "
            "2025/26 season, up 3 percent from the previous crop, national crop agency Conab said on Thursday.",
            "Good rains in Mato Grosso and a recovery in Rio Grande do Sul after last year's floods offset "
            "dry weather in parts of the northeast, the agency said.",
            "Conab cut its forecast for the second corn crop slightly to 119 million tonnes because of late "
            "planting.",
        ],
        "update": [
            "Soybean exports are expected to reach 106 million tonnes, most of them to China, Conab said, "
            "adding that crushing for biodiesel would also rise.",
        ],
        "fix": ("172 million tonnes", "171 million tonnes"),
    },
    {
        "headline": "Striking rail workers halt trains across Portugal",
        "paras": [
            "LISBON (Reuters) - A strike by rail workers over pay halted most trains across Portugal on Friday, "
            "leaving commuters in Lisbon and Porto scrambling for buses and taxis.",
            "State rail operator CP said only 25 percent of scheduled services were running, mainly on routes "
            "where minimum service levels had been set by an arbitration court.",
            "Unions are demanding a pay rise of 8 percent, while the company has offered 4.5 percent and "
            "says it cannot afford more without state support.",
        ],
        "update": [
            "Infrastructure Minister Miguel Pinto Luz said the government would meet union leaders on Monday "
            "and urged both sides to reach a deal before the summer holidays.",
            "Unions said a second strike day was planned for next Thursday if talks fail.",
        ],
        "fix": ("only 25 percent", "only 20 percent"),
    },
    {
        "headline": "Museum returns looted bronzes to Benin",
        "paras": [
            "BERLIN (Reuters) - A German museum handed back 21 bronze sculptures looted by British soldiers in "
            "1897 to Nigerian officials at a ceremony in Hamburg on Tuesday.",
            "The objects, including a commemorative head of a king and several plaques, will be displayed at "
            "a new museum in Benin City that is due to open in 2027.",
            "Germany has returned more than 1,100 Benin Bronzes since agreeing in 2022 to transfer ownership of "
            "all such objects held in its public collections.",
            "Abba Isa Tijani, director general of Nigeria's National Commission for Museums and Monuments, "
            "thanked the museum for its cooperation.",
        ],
        "update": [
            "The British Museum, which holds the largest collection of Benin Bronzes, has so far refused to "
            "return them, citing a law that bars it from giving away objects in its collection.",
        ],
        "fix": ("21 bronze sculptures", "23 bronze sculptures"),
    },
    {
        "headline": "Glacier collapse buries Swiss hamlet, one missing",
        "paras": [
            "GENEVA (Reuters) - A huge mass of ice and rock broke away from a glacier above the Swiss hamlet "
            "of Blatten on Wednesday and buried most of the village, which had been evacuated last week.",
            "One man aged 64 was missing, police in the canton of Valais said. About 300 residents and their "
            "livestock had been moved out after geologists warned the mountainside was unstable.",
            "Video footage showed a cloud of dust rising from the valley as the debris swept down the slope "
            "and blocked the Lonza river.",
        ],
        "update": [
            "Authorities said the blocked river was forming a lake behind the debris and that villages "
            "further down the valley were being prepared for possible evacuation.",
            "The army sent equipment to help, and Swiss President Karin Keller-Sutter said she would visit the "
            "area on Thursday.",
        ],
        "fix": ("aged 64", "aged 46"),
    },
    {
        "headline": "South Korea's exports rise for fifth month on chip demand",
        "paras": [
            "SEOUL (Reuters) - South Korea's exports rose for a fifth straight month in October, climbing 7.3 "
            "percent from a year earlier on strong demand for semiconductors, trade ministry data showed on "
            "Saturday.",
            "Chip exports jumped 21 percent to a record $14.2 billion, driven by sales of high-bandwidth memory "
            "used in artificial intelligence servers.",
            "Shipments to the United States fell 2.1 percent, while those to China rose 4.6 percent.",
            "Imports rose 1.8 percent, leaving a trade surplus of $6.1 billion.",
        ],
        "update": [
            "Trade Minister Ahn Duk-geun said exports were on track to exceed $700 billion for the year for the "
            "first time, despite higher U.S. tariffs on cars and steel.",
        ],
        "fix": ("climbing 7.3 percent", "climbing 7.1 percent"),
    },
    {
        "headline": "Ferry runs aground off Greek island, passengers safe",
        "paras": [
            "ATHENS (Reuters) - A passenger ferry carrying 412 people ran aground off the Greek island of Paros "
            "on Sunday evening, the coast guard said, and all passengers were transferred safely to other "
            "vessels.",
            "The ferry, which was sailing from Piraeus to Naxos, struck rocks near the entrance to the port of "
            "Parikia in strong winds. No injuries were reported.",
            "Divers were inspecting the hull for damage and the coast guard said there was no sign of fuel "
            "leaking into the sea.",
        ],
        "update": [
            "The shipping ministry said the captain and two officers had been detained for questioning, as is "
            "standard practice in Greece after such accidents.",
        ],
        "fix": ("412 people", "421 people"),
    },
    {
        "headline": "Canadian wildfire forces evacuation of oil sands town",
        "paras": [
            "CALGARY (Reuters) - Authorities ordered the evacuation of about 6,000 people from the oil sands "
            "town of Fort Chipewyan in northern Alberta on Monday as a wildfire burned within 10 km of its "
            "outskirts.",
            "The fire had grown to more than 40,000 hectares, fanned by strong winds and hot, dry weather, "
            "Alberta Wildfire said.",
            "Two oil sands producers said they had reduced output as a precaution and moved non-essential "
            "staff from their camps.",
        ],
        "update": [
            "Residents were being flown to Edmonton because the only winter road out of the town is closed in "
            "summer, officials said.",
            "Canadian crude prices narrowed their discount to U.S. benchmark oil on concern over supply.",
        ],
        "fix": ("about 6,000 people", "about 1,000 people"),
    },
]


def _oil(i: int) -> tuple[str, list[str]]:
    days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    brent = 78.20 + 0.37 * i * (-1) ** i
    wti = brent - 3.85 - 0.11 * i
    move = 14 + 9 * i
    verb = "rose" if i % 2 == 0 else "fell"
    return (
        "Oil prices {} as traders weigh OPEC+ supply plans".format("rise" if i % 2 == 0 else "fall"),
        [
            f"SINGAPORE (Reuters) - Oil prices {verb} on {days[i % 5]} as traders weighed the prospect of "
            f"higher output from OPEC+ against signs of firm demand in China.",
            f"Brent crude futures {verb} {move} cents to ${brent:.2f} a barrel by {3 + i % 4}:{10 + 7 * i % 50:02d} "
            f"GMT. U.S. West Texas Intermediate crude {verb} {move - 3} cents to ${wti:.2f}.",
            f"U.S. crude inventories {'fell' if i % 3 else 'rose'} by {1.2 + 0.4 * i:.1f} million barrels in the week "
            f"ended {['March', 'April', 'May'][i % 3]} {3 + i}, according to market sources citing American "
            f"Petroleum Institute figures.",
        ],
    )


def _claims(i: int) -> tuple[str, list[str]]:
    claims = 221_000 + 3_000 * i * (-1) ** i
    prior = claims + 4_000 - 1_000 * i
    months = ["January", "February", "March", "April"]
    return (
        "U.S. weekly jobless claims {} to {:,}".format("rise" if claims > prior else "fall", claims),
        [
            f"WASHINGTON (Reuters) - The number of Americans filing new claims for unemployment benefits "
            f"{'rose' if claims > prior else 'fell'} to {claims:,} in the week ended {months[i % 4]} {4 + 2 * i}, "
            f"the Labor Department said on Thursday.",
            f"Economists polled by Reuters had forecast {claims - 2_000 + 500 * i:,} claims for the latest week. "
            f"The prior week's figure was revised to {prior:,}.",
            f"Continuing claims, a proxy for hiring, {'increased' if i % 2 else 'decreased'} by {9_000 + 2_000 * i:,} "
            f"to {1_870_000 + 11_000 * i:,} during the week ending {months[i % 4]} {2 * i + 1}.",
        ],
    )


def _earnings(i: int) -> tuple[str, list[str]]:
    names = ["Halvorsen Foods", "Brightwater Utilities", "Castellan Mining", "Oriel Software", "Pemberton Retail",
             "Quayside Logistics", "Marlow Pharma", "Tidewell Insurance", "Arden Steel", "Kestrel Media"]
    cities = ["OSLO", "LONDON", "TORONTO", "DUBLIN", "MANCHESTER", "ROTTERDAM", "BASEL", "EDINBURGH", "SHEFFIELD",
              "COPENHAGEN"]
    name = names[i % len(names)]
    net = 41 + 17 * i
    prev = net - 6 - 3 * i
    rev = 610 + 95 * i
    return (
        f"{name} third-quarter profit rises to {net} million",
        [
            f"{cities[i % len(cities)]} (Reuters) - {name} said on Wednesday its third-quarter net profit rose to "
            f"{net} million euros from {prev} million a year earlier, helped by cost cuts and higher prices.",
            f"Revenue increased {3 + i % 5} percent to {rev} million euros, the company said in a statement.",
            f"The company kept its full-year outlook, forecasting operating profit of between {150 + 40 * i} and "
            f"{170 + 40 * i} million euros.",
        ],
    )


def _dividend(i: int) -> tuple[str, list[str]]:
    names = ["Granite Bancorp", "Hollis Water", "Larkspur Realty", "Norwell Chemicals", "Sutter Paper",
             "Whitby Gas", "Bexley Telecom", "Ashford Rail"]
    name = names[i % len(names)]
    cents = 18 + 3 * i
    return (
        f"{name} sets quarterly dividend",
        [
            f"NEW YORK (Reuters) - {name} said its board declared a quarterly dividend of {cents} cents per share, "
            f"payable on {['June', 'July', 'August'][i % 3]} {10 + i} to shareholders of record on "
            f"{['May', 'June', 'July'][i % 3]} {20 + i}.",
            f"The company paid {cents - (i % 3)} cents per share in the previous quarter.",
        ],
    )


def _cpi(i: int) -> tuple[str, list[str]]:
    countries = [("Poland", "WARSAW", "GUS"), ("Hungary", "BUDAPEST", "KSH"), ("Czech Republic", "PRAGUE", "CZSO"),
                 ("Romania", "BUCHAREST", "INS")]
    country, city, office = countries[i % 4]
    months = ["January", "February", "March", "April", "May", "June", "July", "August"]
    rate = 3.1 + 0.2 * i
    return (
        f"{country} inflation {'eases' if i % 2 else 'quickens'} to {rate:.1f} percent in {months[i % 8]}",
        [
            f"{city} (Reuters) - {country}'s annual consumer price inflation {'eased' if i % 2 else 'quickened'} to "
            f"{rate:.1f} percent in {months[i % 8]} from {rate + (0.3 if i % 2 else -0.3):.1f} percent a month "
            f"earlier, statistics office {office} said on {['Monday', 'Tuesday', 'Friday'][i % 3]}.",
            f"Analysts polled by Reuters had expected a rate of {rate + 0.1:.1f} percent. Food prices rose "
            f"{2.0 + 0.3 * i:.1f} percent year on year, while fuel prices fell {1.1 + 0.2 * i:.1f} percent.",
            f"Core inflation, which excludes food and energy, was estimated at {3.4 + 0.1 * i:.1f} percent.",
        ],
    )


def _hogs(i: int) -> tuple[str, list[str]]:
    lo = 285 + 5 * i
    hi = lo + 12 + i % 4
    return (
        "Hog and cattle slaughter guesstimates",
        [
            f"CHICAGO (Reuters) - Chicago Mercantile Exchange floor traders and commission house "
            f"representatives are guesstimating today's hog slaughter at about {lo},000 to {hi},000 head versus "
            f"{lo + 7 - i},000 week ago and {lo + 20 - 2 * i},000 a year ago.",
            f"Cattle slaughter is guesstimated at about {120 + i},000 to {125 + i},000 head versus "
            f"{122 + 2 * i % 7},000 week ago and {119 + i},000 a year ago.",
        ],
    )


def _appointment(i: int) -> tuple[str, list[str]]:
    firms = ["Corvane Group", "Eastlake Energy", "Fenwick Bank", "Glenmoor Capital", "Harrowgate Motors",
             "Ivers Chemicals", "Jutland Shipping", "Kingsbridge Insurance"]
    people = ["Anna Lindqvist", "Rafael Ortega", "Helen Okafor", "Tomas Novak", "Priya Raman", "James Whitaker",
              "Sofia Marchetti", "Daniel Mbeki"]
    firm = firms[i % len(firms)]
    person = people[(3 * i + 1) % len(people)]
    return (
        f"{firm} names {person} chief executive",
        [
            f"LONDON (Reuters) - {firm} has appointed {person} as chief executive with effect from "
            f"{['January', 'March', 'April', 'September'][i % 4]} 1, the company said on Tuesday.",
            f"{person.split()[0]} {person.split()[1]}, who currently runs the group's "
            f"{['European', 'Asian', 'North American', 'retail'][i % 4]} division, will succeed the outgoing "
            f"chief executive, who is retiring after {6 + i} years in the role.",
            "The company's shares were little changed after the announcement.",
        ],
    )


def _weather(i: int) -> tuple[str, list[str]]:
    regions = ["Kansas", "Nebraska", "Iowa", "Illinois", "Dakotas", "Oklahoma", "Minnesota", "Missouri"]
    region = regions[i % len(regions)]
    return (
        "U.S. Midwest crop weather outlook",
        [
            f"KANSAS CITY (Reuters) - Showers of {0.2 + 0.1 * i:.1f} to {0.6 + 0.1 * i:.1f} inch are expected in "
            f"{region} over the next {3 + i % 3} days, easing dryness in the winter wheat belt, a meteorologist "
            f"at Commodity Weather Group said.",
            f"Temperatures will range from {60 + i} to {78 + i} degrees Fahrenheit, about {2 + i % 4} degrees "
            f"above normal for {['early', 'mid', 'late'][i % 3]} {['April', 'May', 'June'][i % 3]}.",
        ],
    )


TEMPLATES = {
    "oil": _oil,
    "claims": _claims,
    "earnings": _earnings,
    "dividend": _dividend,
    "cpi": _cpi,
    "hogs": _hogs,
    "appointment": _appointment,
    "weather": _weather,
}
