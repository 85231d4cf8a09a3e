"""The articles the fake news sites serve: invented front-line reports, written for these tests.

Every story keeps its body paragraphs as a list, so a test can check that extraction kept each of them
verbatim and dropped everything the page template wraps around them.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Story:
    slug: str
    title: str
    author: str
    published: str               # ISO 8601 with offset: what JSON-LD datePublished says
    modified: str                # a later "last updated" stamp: must never be taken as the date
    paragraphs: tuple[str, ...]
    section: str = "War"
    page_metadata: bool = True   # False: the page states no date at all (the feed's date is the fallback)
    lead: tuple[str, ...] = field(default=())   # a site's own first lines before a wire story

    @property
    def published_day(self) -> str:
        return self.published[:10]


KHARKIV_GLIDE_BOMBS = Story(
    slug="kharkiv-glide-bombs-saltivka",
    title="Glide bombs hit Kharkiv's Saltivka district overnight, injuring nine",
    author="Olena Marchuk",
    published="2024-06-22T08:40:00+03:00",
    modified="2024-06-23T19:05:00+03:00",
    paragraphs=(
        "KHARKIV, June 22 – Two Russian guided aerial bombs struck the Saltivka district in the north of "
        "Kharkiv shortly after midnight on Saturday, damaging a nine-storey apartment block and injuring "
        "nine people, the regional military administration said.",
        "Rescuers worked through the night to clear rubble from the stairwell of the building, where the "
        "blast tore away the facade between the fourth and seventh floors. Two of the injured, a woman aged "
        "67 and a teenage boy, were taken to hospital in a serious condition.",
        "Kharkiv lies about 30 kilometres from the Russian border, and glide bombs released from aircraft "
        "flying over Russian territory reach the city in under a minute, leaving residents little time to "
        "take shelter after the sirens sound.",
        "“We heard the whistle and then the windows came in,” said Iryna, a resident of the neighbouring "
        "block who asked that her surname not be published. “My neighbours spent the rest of the night "
        "sweeping glass off the landing.”",
        "City utilities said heating and water supply to the damaged block would be restored within two "
        "days, while the administration opened a temporary aid point in a school gym nearby for families "
        "whose flats were left without windows.",
    ),
)

TORETSK_SPOIL_HEAPS = Story(
    slug="toretsk-spoil-heaps",
    title="Ukrainian infantry cling to the spoil heaps around Toretsk",
    author="Andriy Kovalenko",
    published="2024-06-28T11:20:00+03:00",
    modified="2024-07-01T09:00:00+03:00",
    paragraphs=(
        "TORETSK, Donetsk region – Ukrainian infantry are holding positions on the spoil heaps that ring "
        "the mining town of Toretsk, where Russian assault groups have stepped up attacks over the past "
        "week, a battalion officer said.",
        "The conical heaps of mine waste, some more than fifty metres high, give whoever holds them a view "
        "over the town's eastern districts and the approaches from Horlivka, which Russian forces have "
        "occupied since 2014.",
        "“They come in groups of three or four, on foot or on motorcycles, and try to slip into the ruined "
        "houses at the edge of the Zabalka neighbourhood,” said the officer, who uses the call sign Hrim. "
        "“Our drones see most of them before they get close.”",
        "Shelling has destroyed much of the town's water network, and volunteers now deliver drinking "
        "water in plastic containers to the few hundred residents who remain, most of them elderly people "
        "living in basements.",
        "The officer said his unit needed more interceptor drones to counter the Russian reconnaissance "
        "craft that guide artillery onto Ukrainian positions, adding that the coming weeks would be "
        "decisive for the town's defence.",
    ),
)

# One wire story, carried by both sites with different chrome and different first and last lines.
_WIRE_PARAGRAPHS = (
    "POKROVSK, Ukraine, July 4 (Dnipro Wire) – Russian troops advanced to within about ten kilometres "
    "of the eastern outskirts of Pokrovsk on Thursday as local authorities ordered families with "
    "children to leave villages along the main road to the city.",
    "The order covers eleven villages along the highway from Pokrovsk towards Kostiantynivka, the "
    "regional administration said, and requires parents to take about 1,400 children to safer areas "
    "within five days.",
    "Pokrovsk, a logistics hub with a railway junction and a coal mine that supplied coking coal to "
    "Ukraine's steel industry, had a population of about 60,000 before the full-scale invasion. "
    "Officials estimate that fewer than 25,000 people remain.",
    "Ukrainian commanders say Russian forces are relying on small infantry groups supported by guided "
    "bombs, and that the pace of the advance has slowed in recent days as reinforcements reached the "
    "area.",
    "Evacuation buses leave the central square of Pokrovsk twice a day for Dnipro and Pavlohrad, a "
    "volunteer coordinator said, adding that many older residents were refusing to go despite the "
    "daily shelling.",
    "A Ukrainian military spokesman said 47 combat engagements had taken place along the Pokrovsk axis "
    "over the previous 24 hours, the highest figure on any part of the front.",
)

WIRE_ON_A = Story(
    slug="pokrovsk-children-evacuation",
    title="Russian forces edge closer to Pokrovsk as children ordered out of nearby villages",
    author="Dnipro Wire",
    published="2024-07-04T16:30:00+03:00",
    modified="2024-07-05T08:10:00+03:00",
    paragraphs=_WIRE_PARAGRAPHS,
)

WIRE_ON_B = Story(
    slug="russians-10km-from-pokrovsk",
    title="Russians 10 km from Pokrovsk; families with children told to leave",
    author="Dnipro Wire",
    published="2024-07-04T17:05:00+03:00",
    modified="2024-07-04T21:45:00+03:00",
    lead=("Updated with the number of children covered by the evacuation order.",),
    paragraphs=_WIRE_PARAGRAPHS[:-1],
)

POKROVSK_MINE = Story(
    slug="pokrovsk-coal-mine-halts",
    title="Pokrovsk coking coal mine halts most work as the front line nears",
    author="Taras Hnatiuk",
    published="2024-07-08T10:00:00+03:00",
    modified="2024-07-09T12:30:00+03:00",
    section="Economy",
    paragraphs=(
        "Ukraine's largest coking coal mine, near Pokrovsk in the Donetsk region, has halted most of its "
        "operations after Russian shelling cut the power lines feeding the site, the company that runs it "
        "said on Monday.",
        "The mine supplied most of the coking coal used by Ukrainian steelmakers, and its loss would force "
        "the industry to rely on imports, analysts said. Output had already fallen by half since the "
        "spring as workers were called up to the army.",
        "Managers moved some equipment westward and kept a skeleton crew on site to pump water out of the "
        "shafts, which would flood within weeks if the pumps stopped for good.",
        "About 3,000 miners worked at the complex before the war. Many have since left Pokrovsk with their "
        "families, while others have joined units defending the approaches to the town.",
        "Residents said the closure felt like the end of an era for a town built around mining. “My father "
        "and grandfather worked underground here,” said Serhiy, a 52-year-old engineer. “Now we are waiting "
        "to see whether the town itself will survive.”",
    ),
)

TORETSK_PHARMACY = Story(
    slug="toretsk-last-pharmacy",
    title="Last pharmacy in Toretsk closes after drone strike next door",
    author="Maria Bondar",
    published="2024-07-10T13:15:00+03:00",
    modified="2024-07-10T13:15:00+03:00",
    page_metadata=False,
    paragraphs=(
        "The last working pharmacy in Toretsk closed its doors this week after a drone struck the building "
        "next to it, leaving the remaining residents of the frontline town without a regular supply of "
        "medicine, local officials said.",
        "The town's military administration said it would organise weekly deliveries of prescription drugs "
        "through volunteers, who already bring bread and water to the districts that can still be reached "
        "by car.",
        "Before the full-scale invasion Toretsk had more than 30,000 inhabitants. The administration now "
        "counts about 1,000, and says it cannot guarantee their safety as Russian forces push into the "
        "town's eastern streets.",
        "Police officers who carry out evacuations in armoured vehicles said they had taken out eleven "
        "people in the past three days, including a bedridden man whose daughter had asked for help "
        "through a hotline.",
    ),
)

_KUPIANSK_COMMON = (
    "Authorities in the Kharkiv region extended the mandatory evacuation around Kupiansk on Tuesday to "
    "twelve more villages east of the Oskil river, as Russian forces stepped up attacks on the town's "
    "northern approaches.",
)
KUPIANSK_V1 = Story(
    slug="kupiansk-evacuation-widened",
    title="Evacuation around Kupiansk widened to twelve more villages",
    author="Olena Marchuk",
    published="2024-07-16T09:30:00+03:00",
    modified="2024-07-16T09:30:00+03:00",
    paragraphs=_KUPIANSK_COMMON + (
        "About 3,200 people, including 290 children, live in the affected villages, the regional "
        "administration said. Evacuees are taken to Kharkiv, where they are offered temporary housing and "
        "a one-off payment.",
        "Kupiansk, a railway town on the Oskil, was occupied in the first days of the full-scale invasion "
        "and liberated in September 2022 during Ukraine's counteroffensive in the Kharkiv region.",
    ),
)
KUPIANSK_V2 = Story(
    slug=KUPIANSK_V1.slug,
    title=KUPIANSK_V1.title,
    author=KUPIANSK_V1.author,
    published=KUPIANSK_V1.published,
    modified="2024-07-17T20:00:00+03:00",
    paragraphs=_KUPIANSK_COMMON + (
        "About 3,500 people, including 310 children, live in the affected villages, the regional "
        "administration said. Evacuees are taken to Kharkiv, where they are offered temporary housing and "
        "a one-off payment.",
        "Kupiansk, a railway town on the Oskil, was occupied in the first days of the full-scale invasion "
        "and liberated in September 2022 during Ukraine's counteroffensive in the Kharkiv region.",
        "By Wednesday evening 640 people had left the villages on buses organised by the administration, "
        "officials said, while others drove out in their own cars.",
    ),
)

# Host A's pages (and feeds); host B's. KUPIANSK is served in version 1 or 2 (a switch the test flips).
SITE_A_STORIES = (KHARKIV_GLIDE_BOMBS, TORETSK_SPOIL_HEAPS, WIRE_ON_A)
SITE_B_STORIES = (WIRE_ON_B, POKROVSK_MINE, TORETSK_PHARMACY)
ALL_STORIES = SITE_A_STORIES + SITE_B_STORIES + (KUPIANSK_V1,)

# Stories a test adds to a site's feeds (`site.extra_stories`) to play "something new was published".
# One names Toretsk only by its old name, one only a town of its sector, one a place far from it.
DZERZHYNSK_WATER = Story(
    slug="dzerzhynsk-water-deliveries",
    title="Water deliveries resume in Dzerzhynsk after a week-long pause",
    author="Maria Bondar",
    published="2024-07-19T10:05:00+03:00",
    modified="2024-07-19T12:40:00+03:00",
    paragraphs=(
        "Volunteers resumed deliveries of drinking water to the frontline town of Dzerzhynsk on Friday after "
        "shelling had halted them for a week, the regional water company said.",
        "The company said its trucks now stop at three points in the western districts, where about 800 "
        "residents still live, most of them in the basements of apartment blocks.",
        "Artillery hit the last working pumping station in June, and the water network has been out of "
        "service since then, officials said, adding that repairs were impossible under constant fire.",
    ),
)

HORLIVKA_DEPOT = Story(
    slug="horlivka-fuel-depot-fire",
    title="Fuel depot burns in occupied Horlivka after overnight drone attack",
    author="Andriy Kovalenko",
    published="2024-07-20T09:15:00+03:00",
    modified="2024-07-20T11:00:00+03:00",
    paragraphs=(
        "A fuel depot on the northern edge of occupied Horlivka burned through the night after a drone "
        "attack, Russian-installed officials in the city said on Saturday.",
        "Videos shared by residents showed a column of black smoke over the industrial zone, and local "
        "channels reported that the fire had spread to two railway tank cars parked nearby.",
        "Ukraine's military did not comment on the strike, which would be the third on fuel storage in the "
        "city this month, according to reports compiled by independent monitors.",
    ),
)

KHARKIV_SUBSTATION = Story(
    slug="kharkiv-substation-strike",
    title="Drone strike on a substation leaves parts of Kharkiv without power",
    author="Olena Marchuk",
    published="2024-07-21T07:50:00+03:00",
    modified="2024-07-21T09:30:00+03:00",
    paragraphs=(
        "A Russian drone hit an electrical substation in the north of Kharkiv late on Saturday, cutting "
        "power to about 40,000 households, the city's mayor said.",
        "Repair crews restored electricity to hospitals within two hours and expected to reconnect most "
        "homes by the afternoon, the regional energy company said in a statement.",
        "Kharkiv has been the target of repeated attacks on its power grid since the spring, forcing "
        "businesses to rely on generators during scheduled outages.",
    ),
)

TORETSK_ASSAULT = Story(
    slug="toretsk-zabalka-assault",
    title="Russian assault groups push into Toretsk's eastern districts",
    author="Andriy Kovalenko",
    published="2024-07-22T18:30:00+03:00",
    modified="2024-07-22T20:10:00+03:00",
    paragraphs=(
        "Russian assault groups pushed into the eastern districts of Toretsk on Monday, a Ukrainian brigade "
        "spokesman said, describing street fighting around the ruins of the Zabalka neighbourhood.",
        "The spokesman said small infantry groups were trying to reach the central square under cover of "
        "glide bomb strikes, and that Ukrainian drones had destroyed two armoured vehicles since morning.",
        "Police said about 600 civilians remained in the town, and that evacuation teams could only reach "
        "its western streets at night.",
    ),
)
