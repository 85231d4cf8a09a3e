"""Builds retrieval/gold_ruwa.jsonl: expected articles = RUWA items on the topic whose body contains an answer."""
import json, re, sys
items = [json.loads(l) for l in open('/work/shared/corpus/ruwa.jsonl')]
def body(d): return d['text'] or d['title']
G = []
def q(id, kind, question, answers, topic, within=None):
    rx = re.compile(topic, re.I)
    arts = [d['id'] for d in items if rx.search(d['title'] + ' ' + d['text']) and any(a.lower() in body(d).lower() for a in answers)
            and (within is None or within[0] <= d['date'] <= within[1])]
    assert arts, (id, 'no article')
    for a in answers: assert a.lower() not in question.lower(), (id, a)
    G.append({"id": id, "kind": kind, "question": question, "articles": arts, "answers": answers})
def none(id, question):
    G.append({"id": id, "kind": "unanswerable", "question": question, "abstain": True})
def brief(id, mode, name, topic):
    rx = re.compile(topic, re.I)
    arts = [d['id'] for d in items if rx.search(d['title'] + ' ' + d['text'])]
    G.append({"id": id, "kind": "sector", "mode": mode, "question": name, "articles": arts})

# facts
q("kramatorsk-killed", "fact", "How many people died when missiles hit the Kramatorsk railway station?", ["50", "52", "39", "30", "57", "59"], r"Kramatorsk")
q("izium-grave", "fact", "How many bodies were in the mass grave discovered in Izium?", ["440", "59"], r"Izium|Izyum")
q("lyman-burials", "fact", "How many civilians were found buried in Lyman after it was freed?", ["50"], r"Lyman")
q("lyman-when", "fact", "When did the Ukrainian army retake Lyman?", ["October 1"], r"Lyman")
q("kremenchuk-inside", "fact", "How many shoppers were inside the Kremenchuk mall when the missiles struck?", ["1,000"], r"Kremenchuk")
q("kremenchuk-killed", "fact", "What was the death toll of the strike on the shopping centre in Kremenchuk?", ["10 people were killed", "11 people were killed", "18", "20 people", "13 people"], r"Kremenchuk")
q("azovstal-surrendered", "fact", "According to Moscow, how many fighters from the Mariupol steel works had given up?", ["2,000", "1,908", "1,730", "959", "694", "700", "265"], r"Azovstal|Mariupol fighters|steel (?:works|plant)")
q("azovstal-taken", "fact", "Where were the Azovstal defenders taken after they laid down their arms?", ["Olenivka", "Novoazovsk"], r"Azovstal")
q("olenivka-residents", "fact", "How many people from Mariupol were being held at the filtration prison?", ["3,000"], r"Olenivka")
q("grain-ports", "fact", "Which three ports did the Istanbul grain agreement reopen?", ["Chornomorsk", "Yuzhny", "Pivdennyi"], r"grain")
q("slovakia-t72", "fact", "How many T-72s is Slovakia handing over to Ukraine?", ["30"], r"Slovakia")
q("slovakia-swap", "fact", "What will Slovakia get from Germany for sending its T-72 tanks?", ["Leopard"], r"Slovakia")
q("moskva-russia-why", "fact", "What does Russia say sank the cruiser Moskva?", ["fire", "explosion", "stormy"], r"Moskva")
q("azov-deputy", "fact", "Who is the deputy commander of the Azov regiment?", ["Palamar"], r"Azov")
q("azovstal-rubble", "fact", "How many civilians did the Azov fighters dig out of the Azovstal rubble?", ["20 civilians"], r"Azovstal")
q("portugal-request", "fact", "What weapons did Zelensky ask Lisbon to send?", ["Leopard", "Harpoon", "armored personnel carriers"], r"Portugal")
q("azov-anorexia", "fact", "How many freed Azov prisoners were suffering from anorexia?", ["215"], r"anorexia")
q("exchange-wounded", "fact", "Which Ukrainian deputy prime minister offered to swap wounded Azovstal fighters for Russian prisoners?", ["Vereshchuk"], r"Azovstal")
q("snake-air-defence", "fact", "What air defence systems did the occupiers put on Snake Island?", ["Pantsir", "Tor-M2", "Tor"], r"Snake Island|Zmiinyi")
q("azot-civilians", "fact", "How many civilians were sheltering at the Azot chemical plant?", ["800", "500", "300", "568", "540", "1,200"], r"Azot")
q("podolyak-weapons", "fact", "Which weapons did Podolyak say the West should supply in answer to Russian escalation?", ["HIMARS", "ATACMS", "Abrams", "Leopards"], r"Podolyak")
q("mcconnell-atacms", "fact", "What did Mitch McConnell urge Biden to give Ukraine?", ["ATACMS", "lethal weapons"], r"McConnell")
q("kraken-kharkov", "alias", "How many Kraken battalion fighters does Russia say it killed near Kharkov?", ["hundred"], r"Kraken")
q("nikolaev-searches", "alias", "Who are house-to-house searches in Nikolaev looking for?", ["collaborators"], r"Nikolaev|Mykolaiv")
q("kharkiv-cyrillic", "alias", "What hit Харків in July 2022?", ["multiple launch rocket system", "rocket", "missile", "S-300"], r"Kharkiv|Kharkov", within=("2022-07-01", "2022-07-31"))
q("izyum-spelling", "alias", "What was discovered in Izyum after Russian troops left?", ["mass grave", "mass burial", "burial", "graves", "torture"], r"Izium|Izyum")
q("severodonetsk-azot", "alias", "How many people were hiding under the Azot factory in Sievierodonetsk?", ["800", "500", "300", "568", "540", "1,200"], r"Azot")
q("zaporozhye-iaea", "alias", "What did the draft IAEA board resolution ask Russia to do at the Zaporozhye plant?", ["leave"], r"IAEA")
q("odessa-grain", "alias", "From which port did the first ship with Ukrainian grain set off?", ["Odessa", "Odesa", "Chornomorsk", "Chernomorsk"], r"grain")
q("date-kremenchuk", "date", "What happened in Kremenchuk on 27 June 2022?", ["missile", "rocket", "shopping", "mall"], r"Kremenchuk", within=("2022-06-27", "2022-06-27"))
q("date-lyman-oct", "date", "What was reported from Lyman in October 2022?", ["liberat", "burial", "freed", "de-occupied", "deoccupied"], r"Lyman", within=("2022-10-01", "2022-10-31"))
q("date-iaea-aug", "date", "What did the IAEA say about the Zaporizhzhia plant in August 2022?", ["out of control", "mission", "inspect", "safety", "visit"], r"IAEA", within=("2022-08-01", "2022-08-31"))
q("date-bridge-oct", "date", "What happened at the Kerch bridge in October 2022?", ["explosion", "blast", "attack", "fire", "undermining", "exploded"], r"bridge", within=("2022-10-01", "2022-10-31"))
q("date-moskva-apr", "date", "What became of the Russian flagship Moskva in April 2022?", ["sank", "sunk", "sinks", "sinking", "sink"], r"Moskva", within=("2022-04-01", "2022-04-30"))
# must decline: share the war's vocabulary, not its facts
none("none-vilnius", "What did Zelensky say at the NATO summit in Vilnius?")
none("none-f16-netherlands", "How many F-16 jets did the Netherlands deliver to Ukraine?")
none("none-storm-shadow", "How many Storm Shadow missiles has Britain supplied to Kyiv?")
none("none-bradley-avdiivka", "How many Bradley fighting vehicles were lost near Avdiivka?")
none("none-patriot-kyiv", "How many Patriot batteries defend Kyiv?")
none("none-borscht", "What is the recipe for Ukrainian borscht?")
none("none-prigozhin-2023", "What did Prigozhin demand during the mutiny in June 2023?")
none("none-sudzha", "Did Ukrainian troops take Sudzha during the Kursk incursion?")
none("none-leopard-2023", "How many Leopard 2 tanks did Poland deliver to Ukraine in February 2023?")
none("none-world-cup-final", "Who won the World Cup final in Qatar?")
none("none-abrams-count", "How many Abrams tanks reached the Zaporizhzhia front in 2024?")
brief("sector-lyman", "sector", "Lyman", r"Lyman")
brief("timeline-izium", "timeline", "Izyum", r"Izium|Izyum")
with open(sys.argv[1], 'w') as f:
    for g in G: f.write(json.dumps(g, ensure_ascii=False) + "\n")
print(len(G), sum(1 for g in G if g.get('abstain')), {g['id']: len(g.get('articles', [])) for g in G})
