"""German news texts written for the story tests: one agency copy about a flood in
Dresden, four versions of it as other outlets would print it, and two other
stories on the same flood (a reportage and a follow-up)."""

from __future__ import annotations

from pressearchiv.archive.model import article_id_for

COPY = [
    "Dresden (dpa) - Nach tagelangem Starkregen hat die Stadt Dresden am Dienstag "
    "Katastrophenalarm ausgelöst.",
    "Der Pegel der Elbe stieg am Nachmittag auf 7,45 Meter und sollte nach Angaben des "
    "Landeshochwasserzentrums bis zum Abend weiter steigen.",
    "Oberbürgermeister Dirk Hilbert rief die Anwohner der Uferstraßen auf, ihre Keller zu "
    "räumen und Fahrzeuge aus den gefährdeten Gebieten zu bringen.",
    "In der Altstadt bauten Feuerwehr und Technisches Hilfswerk mobile Schutzwände auf.",
    "Rund 1.200 Einsatzkräfte seien im Dienst, sagte ein Sprecher der Stadt.",
    "Mehrere Schulen im Stadtteil Laubegast blieben geschlossen, die Fähren über die Elbe "
    "stellten ihren Betrieb ein.",
    "Die Deutsche Bahn leitete Fernzüge zwischen Dresden und Prag über Umwege, weil ein "
    "Bahndamm bei Pirna unterspült worden war.",
    "Auch in Tschechien bereiteten sich die Behörden auf steigende Wasserstände vor.",
    "In Ústí nad Labem wurden erste Häuser evakuiert.",
    "Meteorologen erwarteten für die Nacht weiteren Regen im Erzgebirge, erst zum Wochenende "
    "solle sich die Lage entspannen.",
    "Sachsens Ministerpräsident kündigte an, betroffenen Familien schnell und unbürokratisch "
    "zu helfen.",
    "Die Landesregierung werde am Donnerstag über ein Soforthilfeprogramm beraten, hieß es "
    "aus der Staatskanzlei.",
    "Bereits 2002 und 2013 hatten Hochwasser in Dresden Schäden in Milliardenhöhe verursacht.",
]
AGENCY = " ".join(COPY)
NEW_LEAD = (
    "Die Elbe steigt und steigt: In Dresden gilt seit Dienstag Katastrophenalarm. Feuerwehr "
    "und THW kämpfen gegen das Wasser, in Tschechien werden erste Häuser geräumt.\n"
    + " ".join(COPY[1:])
)
CUT = " ".join(COPY[:7])
EDITED = (
    AGENCY.replace("Dresden (dpa) - ", "")
    .replace("am Nachmittag", "am Dienstagnachmittag")
    .replace("1.200", "1200")
    .replace("sagte ein Sprecher der Stadt", "teilte ein Stadtsprecher mit")
    .replace("Fernzüge", "ihre Fernzüge")
    .replace("kündigte an", "versprach")
)
OTHER_OUTLET = (
    " ".join(COPY[:6])
    + "\n[Wenn Sie alle aktuellen Nachrichten live auf Ihr Handy haben wollen, empfehlen wir "
    "Ihnen unsere App.]\n" + " ".join(COPY[6:]) + " (dpa)"
)
REPORTAGE = (
    "Laubegast am Mittwochmorgen: Wo sonst Radfahrer am Elbufer entlangrollen, stehen jetzt "
    "Sandsäcke bis zur Hüfte. Renate Köhler, 71, hat die Nacht im ersten Stock verbracht. "
    "„Beim letzten Mal kam das Wasser bis zur Türklinke“, erzählt sie und zeigt auf einen "
    "braunen Strich an der Hauswand. Ihr Nachbar hat die Waschmaschine auf den Dachboden "
    "getragen, die Enkel helfen beim Schleppen. Freiwillige aus der ganzen Stadt sind "
    "gekommen, ein Bäcker verteilt Kaffee und Brötchen. Die Stimmung ist gedrückt, aber "
    "niemand will aufgeben. Ein junger Mann vom Technischen Hilfswerk erklärt, wie die "
    "Pumpen funktionieren, während über ihnen ein Hubschrauber der Polizei kreist. Am Mittag "
    "meldet das Radio, der Pegel werde die Marke von acht Metern wohl nicht erreichen. "
    "Köhler atmet auf, doch den Keller räumt sie trotzdem weiter aus. Man wisse ja nie, "
    "sagt sie, das Wasser halte sich an keine Vorhersage."
)
FOLLOW_UP = (
    "Dresden (dpa) - Das Hochwasser der Elbe geht langsam zurück. Am Donnerstagmorgen lag "
    "der Pegel bei 6,90 Meter, teilte das Landeshochwasserzentrum mit. Die Stadt hob den "
    "Katastrophenalarm am Mittag auf, mehrere Uferstraßen bleiben aber gesperrt, bis Schlamm "
    "und Treibgut beseitigt sind. Die Schulen in Laubegast öffnen am Montag wieder. Die "
    "Landesregierung beschloss ein Soforthilfeprogramm von 20 Millionen Euro für private "
    "Haushalte und kleine Betriebe. Anträge können ab der kommenden Woche bei den "
    "Landratsämtern gestellt werden. Bereits 2002 und 2013 hatten Hochwasser in Dresden "
    "Schäden in Milliardenhöhe verursacht."
)
VERSIONS = {"new lead": NEW_LEAD, "cut": CUT, "edited": EDITED, "other outlet": OTHER_OUTLET}

# The story of the five versions is named after the agency copy, its first article.
STORY = article_id_for(AGENCY)
VERSION_IDS = [article_id_for(t) for t in (AGENCY, NEW_LEAD, CUT, EDITED, OTHER_OUTLET)]

# (title, text, outlet, date) in the order they arrive: the agency copy first.
FLOOD = [
    ("Katastrophenalarm in Dresden", AGENCY, "Sächsische Zeitung", "2024-09-17"),
    ("Die Elbe steigt und steigt", NEW_LEAD, "MDR", "2024-09-17"),
    ("Dresden löst Katastrophenalarm aus", CUT, "Kleine Zeitung", "2024-09-18"),
    ("Hochwasser: Alarm in Dresden", EDITED, "Kronen Zeitung", "2024-09-18"),
    ("Elbe-Hochwasser in Dresden", OTHER_OUTLET, "Der Tagesspiegel", "2024-09-19"),
    ("Sandsäcke bis zur Hüfte", REPORTAGE, "ZEIT ONLINE", "2024-09-18"),
    ("Elbe-Pegel sinkt wieder", FOLLOW_UP, "Sächsische Zeitung", "2024-09-20"),
]
