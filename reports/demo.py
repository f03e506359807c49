"""Demo problem reports (``manage.py seed_demo``, after accounts' demo): the sixteen communal-service categories of
Dushanbe's "WeCan" platform, the twenty-four suppliers that fix them in four district departments, the districts'
boundaries, the routing matrix, and a few hundred reports over two years in every state, with the seasons the city
saw (water and garbage in summer, electricity and heating in winter). Running it again changes nothing."""

import datetime
import random

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import ensure_municipality, ensure_organisation, ensure_person, person
from accounts.models import Organisation, Role

from . import services
from .addresses import addresses_import
from .models import Category, District, Report, RoutingRule

K = Organisation.Kind

# code, (English, Russian), icon, working days to resolve, (English keywords, Russian keywords), parent's code
CATEGORIES = [
    ("water", ("Water supply", "Водоснабжение"), "💧", 2, ("water, tap, pipe", "вода, кран, труба"), None),
    ("water-outage", ("No water", "Нет воды"), "💧", 1, ("nowater, no water", "безводы, нет воды"), "water"),
    ("water-leak", ("Leak or burst pipe", "Утечка или прорыв трубы"), "💧", 1, ("leak, burst", "утечка, прорыв"),
     "water"),
    ("sewerage", ("Sewerage", "Канализация"), "🚽", 2, ("sewer, drain", "канализация, сток"), None),
    ("heating", ("Heating", "Отопление"), "🔥", 1, ("heating, radiator, cold", "отопление, батарея, холодно"), None),
    ("hot-water", ("Hot water", "Горячая вода"), "♨️", 2, ("hotwater, hot water", "горячая, горячая вода"), None),
    ("gas", ("Gas supply", "Газоснабжение"), "💨", 1, ("gas, smell of gas", "газ, запах газа"), None),
    ("electricity", ("Electricity", "Электроснабжение"), "⚡", 1, ("power, electricity", "свет, электричество"),
     None),
    ("power-outage", ("Power cut", "Отключение электроэнергии"), "⚡", 1, ("outage, blackout", "отключение"),
     "electricity"),
    ("power-cables", ("Damaged cables", "Повреждённые провода"), "⚡", 2, ("cable, wire", "провод, кабель"),
     "electricity"),
    ("street-lighting", ("Street lighting", "Уличное освещение"), "💡", 3, ("lamp, streetlight", "фонарь, освещение"),
     None),
    ("waste", ("Garbage collection", "Вывоз мусора"), "🗑️", 2, ("garbage, rubbish, waste", "мусор, отходы, свалка"),
     None),
    ("street-cleaning", ("Street cleaning", "Уборка улиц"), "🧹", 3, ("dirty, cleaning", "грязь, уборка"), None),
    ("roads", ("Roads", "Дороги"), "🛣️", 10, ("road, asphalt", "дорога, асфальт"), None),
    ("pothole", ("Pothole", "Яма на дороге"), "🕳️", 5, ("pothole, hole", "яма, выбоина"), "roads"),
    ("road-sign", ("Damaged road sign", "Повреждённый дорожный знак"), "🚧", 5, ("sign", "знак"), "roads"),
    ("pavements", ("Pavements", "Тротуары"), "🚶", 10, ("pavement, sidewalk", "тротуар"), None),
    ("public-transport", ("Public transport", "Общественный транспорт"), "🚌", 5, ("bus, transport, stop",
                                                                                   "автобус, транспорт, остановка"),
     None),
    ("bus", ("Bus", "Автобус"), "🚌", 5, ("bus", "автобус"), "public-transport"),
    ("trolleybus", ("Trolleybus", "Троллейбус"), "🚎", 5, ("trolleybus", "троллейбус"), "public-transport"),
    ("traffic-lights", ("Traffic lights", "Светофоры"), "🚦", 1, ("traffic light, signal", "светофор"), None),
    ("green-spaces", ("Parks and trees", "Парки и деревья"), "🌳", 10, ("tree, park, grass", "дерево, парк, газон"),
     None),
    ("lifts", ("Lifts", "Лифты"), "🛗", 2, ("lift, elevator", "лифт"), None),
    ("housing", ("Building maintenance", "Содержание домов"), "🏢", 10, ("roof, entrance, stairs",
                                                                         "крыша, подъезд, лестница"), None),
]

# code, (English, Russian), [west, east] longitude, [south, north] latitude: four districts tiling the city
DISTRICTS = [
    ("district-sino", ("Sino District communal department", "Коммунальный отдел района Сино"), (68.70, 68.76),
     (38.50, 38.62)),
    ("district-firdavsi", ("Firdavsi District communal department", "Коммунальный отдел района Фирдавси"),
     (68.76, 68.80), (38.50, 38.56)),
    ("district-somoni", ("Ismoili Somoni District communal department",
                         "Коммунальный отдел района Исмоили Сомони"), (68.76, 68.80), (38.56, 38.62)),
    ("district-shohmansur", ("Shohmansur District communal department", "Коммунальный отдел района Шохмансур"),
     (68.80, 68.86), (38.50, 38.62)),
]
DISPATCH = ("communal-dispatch", ("Communal services dispatch", "Диспетчерская коммунальных служб"))

# code, (English, Russian), categories it fixes, districts it covers (None: the whole city)
_PER_DISTRICT = [
    ("sanitation", ("Sanitation", "Санитарная очистка"), ["waste", "street-cleaning"]),
    ("roads", ("Road maintenance", "Содержание дорог"), ["roads", "pavements"]),
    ("power", ("Electric networks", "Электрические сети"), ["electricity"]),
]
_DISTRICT_NAMES = {"district-sino": ("Sino", "Сино"), "district-firdavsi": ("Firdavsi", "Фирдавси"),
                   "district-somoni": ("Somoni", "Сомони"), "district-shohmansur": ("Shohmansur", "Шохмансур")}
SUPPLIERS = [
    *[(f"{code}-{district.split('-')[1]}", (f"{_DISTRICT_NAMES[district][0]} {names[0]}",
                                             f"{names[1]} ({_DISTRICT_NAMES[district][1]})"), categories, [district])
      for code, names, categories in _PER_DISTRICT for district in _DISTRICT_NAMES],
    ("city-water", ("City Water Utility", "Городской водоканал"), ["water", "sewerage"], None),
    ("heating-network", ("Dushanbe Heating Network", "Душанбинские тепловые сети"), ["heating", "hot-water"], None),
    ("city-gas", ("City Gas", "Горгаз"), ["gas"], None),
    ("city-lighting", ("City Lighting", "Горсвет"), ["street-lighting"], None),
    ("bus-company", ("City Bus Company", "Городской автобусный парк"), ["bus", "public-transport"], None),
    ("trolleybus-company", ("Trolleybus Department", "Троллейбусное управление"), ["trolleybus"], None),
    ("traffic-centre", ("Traffic Management Centre", "Центр организации дорожного движения"), ["traffic-lights",
                                                                                              "road-sign"], None),
    ("city-greenery", ("Parks and Greenery", "Зеленстрой"), ["green-spaces"], None),
    ("lifts-west", ("Lift Service West", "Лифтовая служба «Запад»"), ["lifts"], ["district-sino", "district-firdavsi"]),
    ("lifts-east", ("Lift Service East", "Лифтовая служба «Восток»"), ["lifts"],
     ["district-somoni", "district-shohmansur"]),
    ("housing-west", ("Housing Maintenance West", "Жилищное хозяйство «Запад»"), ["housing"],
     ["district-sino", "district-firdavsi"]),
    ("housing-east", ("Housing Maintenance East", "Жилищное хозяйство «Восток»"), ["housing"],
     ["district-somoni", "district-shohmansur"]),
]

# what residents write, per category (in English and Russian), for the demo reports
TEXTS = {
    "water-outage": ["No water in the whole building since morning.", "Нет воды во всём доме с утра."],
    "water-leak": ["Water is gushing from a pipe on the pavement.", "Из трубы на тротуаре хлещет вода."],
    "sewerage": ["The sewer is blocked and overflowing in the yard.", "Засорилась канализация, во дворе течёт."],
    "heating": ["The radiators are cold in all flats.", "Батареи холодные во всех квартирах."],
    "hot-water": ["No hot water for three days.", "Третий день нет горячей воды."],
    "gas": ["Strong smell of gas near the entrance.", "Сильный запах газа у подъезда."],
    "power-outage": ["The whole street has no electricity.", "На всей улице нет света."],
    "power-cables": ["A cable hangs low over the playground.", "Провод низко висит над детской площадкой."],
    "street-lighting": ["Three street lamps are out on our street.", "На нашей улице не горят три фонаря."],
    "waste": ["The bins have not been emptied for a week.", "Мусор не вывозят уже неделю."],
    "street-cleaning": ["Leaves and mud block the pavement.", "Листья и грязь на тротуаре."],
    "pothole": ["A deep pothole in the middle of the road.", "Глубокая яма посреди дороги."],
    "road-sign": ["The stop sign at the crossing is bent.", "Погнут знак «Стоп» на перекрёстке."],
    "pavements": ["Broken tiles on the pavement, people trip.", "Разбита плитка на тротуаре, люди спотыкаются."],
    "bus": ["Bus 8 did not come for an hour.", "Автобус 8 не приходил целый час."],
    "trolleybus": ["The trolleybus stop shelter is broken.", "Сломан павильон троллейбусной остановки."],
    "traffic-lights": ["The traffic light is stuck on red.", "Светофор завис на красном."],
    "green-spaces": ["A fallen tree blocks the park path.", "Упавшее дерево перегородило дорожку в парке."],
    "lifts": ["The lift has been stuck for two days.", "Лифт не работает второй день."],
    "housing": ["The roof leaks into the top-floor flats.", "Крыша протекает в квартиры верхнего этажа."],
}
# how often each category is reported in each season (winter, spring, summer, autumn)
SEASONS = {
    "heating": (9, 2, 0, 3), "hot-water": (4, 2, 2, 2), "gas": (5, 2, 1, 2), "power-outage": (9, 3, 3, 4),
    "power-cables": (2, 1, 1, 1), "water-outage": (2, 3, 9, 3), "water-leak": (3, 2, 3, 2), "waste": (2, 3, 9, 3),
    "street-cleaning": (2, 3, 2, 5), "pothole": (4, 6, 2, 3), "street-lighting": (3, 2, 1, 4), "sewerage": (1, 2, 3, 1),
    "road-sign": (1, 1, 1, 1), "pavements": (1, 2, 1, 1), "bus": (2, 2, 2, 2), "trolleybus": (1, 1, 1, 1),
    "traffic-lights": (1, 1, 1, 1), "green-spaces": (0, 2, 2, 3), "lifts": (2, 2, 2, 2), "housing": (3, 2, 1, 2),
}
# the address list's demo places (label, latitude, longitude): streets and landmarks of Dushanbe, in English and
# Russian so either finds them; where they are is near enough for a demo, not a survey
ADDRESSES = [
    ("Rudaki Avenue, 22 / проспект Рудаки, 22", 38.5790, 68.7850),
    ("Rudaki Avenue, 45 / проспект Рудаки, 45", 38.5705, 68.7858),
    ("Rudaki Avenue, 90 / проспект Рудаки, 90", 38.5860, 68.7845),
    ("Rudaki Avenue, 137 / проспект Рудаки, 137", 38.5950, 68.7843),
    ("Rudaki Park / парк Рудаки", 38.5768, 68.7798),
    ("Dusti Square / площадь Дусти", 38.5760, 68.7785),
    ("Palace of Nations / Дворец нации", 38.5747, 68.7806),
    ("National Museum of Tajikistan / Национальный музей Таджикистана", 38.5789, 68.7829),
    ("Ayni Opera and Ballet Theatre / Театр оперы и балета имени Айни", 38.5769, 68.7869),
    ("Tajik National University / Таджикский национальный университет", 38.5748, 68.7872),
    ("Shotemur Street, 10 / улица Шотемура, 10", 38.5800, 68.7880),
    ("Bokhtar Street, 35 / улица Бохтар, 35", 38.5695, 68.7822),
    ("Ismoili Somoni Avenue, 8 / проспект Исмоили Сомони, 8", 38.5835, 68.7690),
    ("Ismoili Somoni Avenue, 59 / проспект Исмоили Сомони, 59", 38.5870, 68.7520),
    ("Mirzo Tursunzoda Street, 30 / улица Мирзо Турсунзаде, 30", 38.5735, 68.7770),
    ("Ahmadi Donish Street, 50 / улица Ахмади Дониша, 50", 38.5445, 68.7650),
    ("Sino Street, 12 / улица Сино, 12", 38.5790, 68.7200),
    ("Borbad Avenue, 48 / проспект Борбад, 48", 38.5720, 68.7410),
    ("Firdavsi Street, 80 / улица Фирдавси, 80", 38.5580, 68.7460),
    ("Nisor Muhammad Street, 5 / улица Нисор Мухаммад, 5", 38.5620, 68.7720),
    ("Saadi Sherozi Avenue, 16 / проспект Саади Шерози, 16", 38.5380, 68.7820),
    ("Fuchik Street, 3 / улица Фучика, 3", 38.5260, 68.7850),
    ("Karamov Street, 21 / улица Карамова, 21", 38.5330, 68.7610),
    ("Nusratullo Makhsum Street, 44 / улица Нусратулло Махсума, 44", 38.5820, 68.8110),
    ("Ayni Street, 14 / улица Айни, 14", 38.5660, 68.7950),
    ("Aeroport Street, 1 / улица Аэропортная, 1", 38.5470, 68.8150),
    ("Dushanbe International Airport / Международный аэропорт Душанбе", 38.5433, 68.8250),
    ("Dushanbe railway station / Железнодорожный вокзал Душанбе", 38.5431, 68.7770),
    ("Korvon bazaar / рынок Корвон", 38.5211, 68.7860),
    ("Mehrgon market / рынок Мехргон", 38.5865, 68.7578),
    ("Shohmansur bazaar / Шохмансурский рынок", 38.5800, 68.8005),
    ("Central Stadium / Центральный стадион", 38.5655, 68.7919),
    ("Victory Park / парк Победы", 38.5843, 68.8050),
    ("Botanical Garden / Ботанический сад", 38.5905, 68.8120),
    ("Navruz Palace / дворец Навруз", 38.5985, 68.7975),
    ("Hotel Tajikistan / гостиница Таджикистан", 38.5715, 68.7856),
    ("Zarafshon microdistrict / микрорайон Зарафшон", 38.5500, 68.7200),
    ("Sino District hukumat / хукумат района Сино", 38.5550, 68.7300),
    ("Firdavsi District hukumat / хукумат района Фирдавси", 38.5350, 68.7750),
    ("Shohmansur District hukumat / хукумат района Шохмансур", 38.5650, 68.8200),
    ("Varzob embankment / набережная Варзоба", 38.6050, 68.7820),
]

#: how many demo reports ``seed_demo`` files (``MUNIS_REPORTS_DEMO_COUNT``; the tests ask for fewer)
DEMO_REPORTS = 240


def _square(west_east, south_north):
    (west, east), (south, north) = west_east, south_north
    return {"type": "Polygon", "coordinates": [[[west, south], [east, south], [east, north], [west, north],
                                                [west, south]]]}


def ensure_catalog():
    """Categories, districts, the dispatch, suppliers with one staff member each, and the routing matrix."""
    hall = ensure_municipality()
    dispatch = ensure_organisation(*DISPATCH, K.DEPARTMENT, hall)
    categories = {}
    for order, (code, names, icon, days, words, parent) in enumerate(CATEGORIES, start=1):
        categories[code], _created = Category.objects.update_or_create(code=code, defaults={
            "name_en": names[0], "name_ru": names[1], "icon": icon, "resolution_days": days,
            "keywords_en": words[0], "keywords_ru": words[1], "order": order * 10,
            "parent": categories[parent] if parent else None})
    districts = {}
    for code, names, west_east, south_north in DISTRICTS:
        department = ensure_organisation(code, names, K.DEPARTMENT, hall)
        districts[code], _created = District.objects.update_or_create(
            department=department, defaults={"boundary": _square(west_east, south_north)})
    for code, names, category_codes, district_codes in SUPPLIERS:
        supplier = ensure_organisation(code, names, K.SUPPLIER, hall)
        if code != "city-water":  # the accounts' demo gives the water utility its supplier@ account
            ensure_person(f"{code}@munis.local", f"{names[0]} staff", Role.SUPPLIER, supplier)
        for category_code in category_codes:
            for district_code in district_codes or [None]:
                RoutingRule.objects.update_or_create(
                    category=categories[category_code],
                    district=districts[district_code] if district_code else None, defaults={"organisation": supplier})
    ensure_person("dispatcher@munis.local", "Parvina Rahimova", Role.CLERK, dispatch)
    ensure_person("dispatch-head@munis.local", "Shavkat Nazarov", Role.SUPERVISOR, dispatch)
    for code in _DISTRICT_NAMES:
        ensure_person(f"{code}@munis.local", f"{_DISTRICT_NAMES[code][0]} dispatcher", Role.CLERK,
                      districts[code].department)
    return categories, districts


def _do(report, step, actor, **data):
    services.report_step(report=report, step=step, actor=actor, data=data)


def _staff_of(organisation):
    return organisation.memberships.select_related("user").first().user


# the states the demo reports end in, with their weights
ENDINGS = [("closed", 50), ("confirmed", 8), ("resolved", 8), ("in_progress", 8), ("accepted", 5), ("routed", 8),
           ("returned", 2), ("moderation", 4), ("rejected", 3), ("merged", 3), ("reopened", 2)]


def _file_one(rng, n, when, categories, citizens):
    weights = {code: SEASONS[code][(when.month % 12) // 3] for code in SEASONS}
    code = rng.choices(list(weights), weights=list(weights.values()))[0]
    category = categories[code]
    # every ending at least once (the merged ones twice: each needs an open report before it), then by weight
    if n < len(ENDINGS) * 2:
        ending = ENDINGS[n % len(ENDINGS)][0] if n % 2 == 0 or ENDINGS[n // 2][0] == "merged" else "routed"
    else:
        ending = rng.choices([e for e, _w in ENDINGS], weights=[w for _e, w in ENDINGS])[0]
    russian = rng.random() < 0.6
    text = TEXTS[code][1 if russian else 0]
    latitude, longitude = rng.uniform(38.505, 38.615), rng.uniform(68.705, 68.855)
    anonymous = ending in ("moderation", "rejected")
    report = services.report_submit(
        channel=rng.choice([Report.Channel.WEB, Report.Channel.WEB, Report.Channel.PHONE]) if not anonymous
        else Report.Channel.WEB, description=text, category=category, latitude=latitude, longitude=longitude,
        reporter=None if anonymous else rng.choice(citizens),
        contact_email="resident@example.org" if anonymous else "", language="ru" if russian else "en")
    dispatcher = person("dispatcher")
    if ending == "moderation":
        return report, ending
    if ending == "rejected":
        _do(report, "moderate", dispatcher, decision="reject", reason="This is not a communal service problem.",
            category=None, latitude=None, longitude=None)
        return report, ending
    if ending == "returned":
        _do(report, "accept", _staff_of(report.supplier), decision="hand_back",
            comment="This street is not in our area.")
        return report, ending
    if ending in ("routed", "merged"):
        return report, ending
    supplier_staff = _staff_of(report.supplier)
    _do(report, "accept", supplier_staff, decision="accept")
    if ending == "accepted":
        return report, ending
    services.report_post_update(report=report, actor=supplier_staff, note="A crew has been sent.")
    if ending == "in_progress":
        return report, ending
    _do(report, "work", supplier_staff, note="Repaired.", photo=None)
    if ending == "resolved":
        return report, ending
    if ending in ("closed", "confirmed"):
        services.report_answer(report=report, fixed=True, satisfaction=rng.choice([3, 4, 4, 5, 5]),
                               actor=report.reporter)
    elif ending == "reopened":
        services.report_answer(report=report, fixed=False, satisfaction=rng.choice([1, 2]),
                               comment="It is still broken.", actor=report.reporter)
    return report, ending


def seed(*, stdout):
    with transaction.atomic():
        categories, districts = ensure_catalog()
    addresses_import(rows=ADDRESSES, reason="seed_demo")
    if Report.objects.exists():
        stdout.write(f"Problem reports: {Report.objects.count()} reports already there.")
        return
    rng = random.Random(2026)
    citizens = [person("citizen"), person("citizen2")]
    now = timezone.now()
    filed = []
    count = getattr(settings, "MUNIS_REPORTS_DEMO_COUNT", DEMO_REPORTS)
    for n in range(count):
        when = now - datetime.timedelta(days=730 * (count - n) / count, hours=rng.uniform(0, 12))
        with transaction.atomic():
            report, ending = _file_one(rng, n, when, categories, citizens)
            days = rng.uniform(0.5, 6)
            Report.objects.filter(pk=report.pk).update(
                created_at=when,
                resolved_at=when + datetime.timedelta(days=days) if report.resolved_at else None,
                closed_at=when + datetime.timedelta(days=days + 3) if report.closed_at else None)
            filed.append((report, ending))
    dispatcher = person("dispatcher")
    for report, ending in filed:  # a few are the same problem as a report just before them
        if ending == "merged":
            master = Report.objects.filter(pk__lt=report.pk, status__in=Report.OPEN_STATUSES,
                                           is_public=True).order_by("-pk").first()
            if master is not None:
                with transaction.atomic():
                    services.report_merge(duplicate=report, master=master, actor=dispatcher)
    stdout.write(f"Problem reports: {len(categories)} categories, {len(districts)} districts, "
                 f"{RoutingRule.objects.count()} routing rules, {Report.objects.count()} reports.")
