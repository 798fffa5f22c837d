#!/usr/bin/env python3
"""Generate curator's bundled sample data (synthetic, deterministic).

Run from anywhere:

    .venv/bin/python sample_data/make_sample_data.py

It writes, next to this script:

    support_tickets.jsonl   TRL prompt-completion rows (support ticket triage)
    product_listings.csv    listing,attributes (product attribute extraction)
    tool_calls.jsonl        OpenAI chat fine-tuning rows with tool calls
    preferences.json        TRL preference rows (prompt/chosen/rejected)

Everything is made up: people, e-mail addresses, order ids, companies and
products are fictional.  The only randomness is ``random.Random(42)``, so the
output is byte-for-byte reproducible.  Standard library only.

About 15% of the labelled outputs are deliberately wrong in realistic ways
(schema violations, broken JSON, bad tool arguments) so that annotators and
validators have something to catch.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random
import string
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
TOOLS_FILE = ROOT / "schemas" / "tools_weather_calendar.json"

rng = random.Random(42)

# ---------------------------------------------------------------------------
# Shared helpers
# ---------------------------------------------------------------------------

FIRST_NAMES = [
    "Maria", "James", "Aisha", "Chen", "Lukas", "Priya", "Tom", "Sofia", "Mateo",
    "Hannah", "Oluwaseun", "Yuki", "Fatima", "Liam", "Ingrid", "Rahul", "Chloe",
    "Diego", "Emma", "Kwame", "Noor", "Pierre", "Anya", "Ben", "Isabela", "Tariq",
    "Grace", "Mikael", "Leila", "Sam", "Joanna", "Hiroshi", "Carmen", "Daniel",
    "Zanele", "Marek", "Olivia", "Farid", "Ellie", "Juan", "Siobhan", "Raj",
    "Agnieszka", "Kofi", "Laura", "Niamh", "Tobias", "Mei", "Andre", "Beatriz",
    "Connor", "Dilnoza", "Elif", "Gabriel", "Helena", "Ivan", "Jasmine", "Kai",
]
LAST_NAMES = [
    "Gomez", "Okafor", "Schneider", "Nguyen", "Patel", "Kowalski", "Murphy",
    "Rossi", "Haddad", "Andersson", "Tanaka", "Fernandes", "O'Brien", "Dubois",
    "Mensah", "Kim", "Fischer", "Santos", "Novak", "Ahmed", "Walsh", "Moreau",
    "Lindqvist", "Sato", "Alvarez", "Mbeki", "Cohen", "Jansen", "Petrov", "Lee",
    "Brennan", "Costa", "Ivanova", "Yilmaz", "Hughes", "Bianchi", "Wright",
    "Van Dijk", "Chowdhury", "Larsen", "Reyes", "Kaur", "Horvath", "Baker",
]
EMAIL_DOMAINS = [
    "gmail.com", "gmail.com", "gmail.com", "outlook.com", "yahoo.com", "icloud.com",
    "proton.me", "hotmail.co.uk", "web.de", "orange.fr", "gmx.net", "fastmail.com",
    "hey.com", "live.com", "yahoo.es", "libero.it", "brightlane.io", "mossworks.co",
]


def person(r: random.Random) -> dict:
    first = r.choice(FIRST_NAMES)
    last = r.choice(LAST_NAMES)
    f, l = first.lower(), last.lower().replace("'", "").replace(" ", "")
    local = r.choice([
        f"{f}.{l}", f"{f}{l}", f"{f[0]}{l}", f"{f}_{l[0]}", f"{f}{r.randint(7, 99)}",
        f"{f}.{l}{r.randint(1, 9)}", f"{l}.{f}", f"{f[0]}.{l}",
    ])
    return {
        "first": first,
        "last": last,
        "name": f"{first} {last}",
        "email": f"{local}@{r.choice(EMAIL_DOMAINS)}",
        "handle": "@" + r.choice([f"{f}{l}", f"{f}_{l[:3]}", f"{f}.{r.randint(80, 99)}",
                                  f"the{f}{l[0]}", f"{f}{l[0]}_{r.randint(1, 9)}"])[:30],
    }


NEAR_KEYS = {
    "a": "sq", "e": "wr", "i": "uo", "o": "ip", "u": "yi", "n": "bm", "t": "ry",
    "s": "ad", "r": "et", "l": "k", "d": "sf", "h": "gj", "c": "xv", "m": "n",
}


def typo_word(w: str, r: random.Random) -> str:
    i = r.randrange(1, len(w) - 1)
    k = r.randrange(4)
    if k == 0:
        return w[:i] + w[i + 1] + w[i] + w[i + 2:]
    if k == 1:
        return w[:i] + w[i + 1:]
    if k == 2:
        return w[:i] + w[i] + w[i:]
    c = w[i].lower()
    return w[:i] + r.choice(NEAR_KEYS.get(c, c)) + w[i + 1:]


def add_typos(text: str, rate: float, r: random.Random) -> str:
    out = []
    for w in text.split(" "):
        if len(w) > 3 and w.isalpha() and r.random() < rate:
            w = typo_word(w, r)
        out.append(w)
    return " ".join(out)


def sloppy(text: str, r: random.Random) -> str:
    t = text.replace("'", "").replace("\u2019", "").replace("I ", "i ").replace(" I'", " i'")
    if r.random() < 0.6:
        t = t.lower()
    if r.random() < 0.5:
        t = t.replace(". ", " ").replace(", ", " ")
    return add_typos(t, 0.06, r)


def fmt_date_phrase(d: dt.date, r: random.Random) -> str:
    day = d.day
    suffix = "th" if 11 <= day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return r.choice([
        f"{d:%B} {day}", f"{day} {d:%B}", f"{d:%d/%m}", f"the {day}{suffix}",
        f"{d:%A} the {day}{suffix}", f"{d:%b} {day}", f"{d.isoformat()}",
    ])


def money(amount: float, cur: str) -> str:
    if cur == "USD":
        return f"${amount:,.2f}"
    if cur == "GBP":
        return f"\u00a3{amount:,.2f}"
    if cur == "EUR":
        return f"\u20ac{amount:,.2f}"
    if cur == "CAD":
        return f"CA${amount:,.2f}"
    if cur == "AUD":
        return f"A${amount:,.2f}"
    if cur == "JPY":
        return f"\u00a5{amount:,.0f}"
    if cur == "SEK":
        return f"{amount:,.0f} kr".replace(",", " ")
    if cur == "CHF":
        return f"CHF {amount:,.2f}"
    raise ValueError(cur)


def dumps(obj, indent=None) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=indent)


# ---------------------------------------------------------------------------
# 1. Support tickets (TRL prompt-completion)
# ---------------------------------------------------------------------------

STORE = "Kestrel & Co."

# (name, sku, kinds)
TICKET_PRODUCTS = [
    ("Aria ANC wireless headphones", "AU-2207", "audio elec"),
    ("Pebble Buds 2 earbuds", "AU-2231", "audio elec"),
    ("Boom Mini portable speaker", "AU-2109", "audio elec"),
    ("Halo smart plug (2-pack)", "SH-4410", "smart elec"),
    ("Veil smart LED bulb", "SH-4432", "smart elec"),
    ("Sentry video doorbell", "SH-4501", "smart elec"),
    ("Orbit robot vacuum", "SH-4620", "smart elec vacuum"),
    ("Volt 20,000mAh power bank", "EL-3012", "elec charge"),
    ("Trio 3-in-1 wireless charging stand", "EL-3055", "elec charge"),
    ("Lumo LED desk lamp", "HL-1180", "elec home"),
    ("Cinder electric kettle 1.7L", "KT-3302", "elec kitchen"),
    ("Tern 12-cup drip coffee maker", "KT-3310", "elec kitchen"),
    ("Fino 8-piece knife set", "KT-3120", "kitchen"),
    ("Loam stoneware dinner set (16 pcs)", "KT-3201", "kitchen fragile"),
    ("Tidal insulated bottle 750ml", "KT-3150", "kitchen"),
    ("Forge cast iron skillet 28cm", "KT-3188", "kitchen"),
    ("Wren linen duvet cover", "HM-5120", "home sized"),
    ("Drift memory foam pillow", "HM-5133", "home"),
    ("Aalto oak side table", "HM-5210", "home fragile"),
    ("Marlow blackout curtains", "HM-5177", "home sized"),
    ("Harbor merino crew sweater", "AP-6104", "apparel sized"),
    ("Trail packable rain jacket", "AP-6215", "apparel sized"),
    ("Pace road running shoes", "FW-7741", "apparel sized"),
    ("Fjell 3-person tent", "OD-5502", "outdoor"),
    ("Summit 45L hiking backpack", "OD-5530", "outdoor"),
    ("Ember folding camping stove", "OD-5561", "outdoor"),
]

COURIERS = ["DHL", "UPS", "DPD", "Royal Mail", "FedEx", "GLS", "Evri", "PostNL", "USPS"]
CITIES = ["Leeds", "Porto", "Austin", "Lyon", "Kraków", "Utrecht", "Galway", "Bologna",
          "Denver", "Malmö", "Brighton", "Valencia", "Cork", "Graz", "Toronto"]
COUNTRIES = ["Norway", "Switzerland", "Canada", "the UK", "Australia", "Iceland"]
ADDRESSES = [
    "14 Birchwood Lane, Leeds LS6 2QP", "Rua das Flores 88, 4050-262 Porto",
    "2210 E 6th St, Apt 3B, Austin TX 78702", "Kanaalweg 41, 3526 KL Utrecht",
    "Flat 2, 9 Marine Parade, Brighton BN2 1TL", "ul. Długa 17/4, 31-147 Kraków",
]
COMPANIES = ["Mossworks Ltd", "Brightlane GmbH", "Fieldnote Studio", "Harbour & Pine LLP",
             "Nordvik AB", "Quill Analytics BV"]
CODES = ["SPRING20", "WELCOME10", "FREESHIP", "KESTREL15", "VIP25"]

V_KEYS = ("sent", "pri", "human", "text", "summary")


def V(sent, pri, human, text, summary, **kw):
    d = dict(zip(V_KEYS, (sent, pri, human, text, summary)))
    d.update(kw)
    return d


# Each scenario: category, subjects, web-form topic, tags, product kinds, variants.
SCENARIOS = [
    dict(cat="shipping", topic="Delivery", tags=["delivery_delay"],
         subjects=["Where is my order?", "Order {order} not arrived", "Tracking not updating",
                   "delivery??", "Still waiting for my parcel"],
         variants=[
             V("neutral", "medium", False,
               "I ordered the {product} on {date} (order {order}) and the tracking page has said "
               "\"label created\" for {days} days now. Could you check whether it has actually been "
               "shipped? No huge rush, I just want to know roughly when to expect it.",
               "Customer asks whether order {order} has shipped; tracking has shown only 'label created' for {days} days."),
             V("negative", "medium", False,
               "My order {order} was supposed to arrive last week. Tracking hasn't moved since it left "
               "the warehouse on {date}. I needed the {product} for a trip this weekend so this is "
               "getting frustrating. What's going on?",
               "Order {order} ({product}) is late and tracking has stalled since {date}; customer needs it for a trip this weekend."),
             V("angry", "high", True,
               "This is the THIRD time I'm writing about order {order}. {days} days and still nothing, "
               "tracking is useless and nobody answers. I paid {amount} for express shipping for a reason. "
               "Either get it to me by Friday or refund the shipping AND the order.",
               "Third contact about express order {order}, {days} days late; customer wants delivery by Friday or a full refund."),
         ]),
    dict(cat="shipping", topic="Delivery", tags=["not_received", "courier_claim"],
         subjects=["Parcel marked delivered but not here", "Order {order} - not received",
                   "Missing parcel", "Delivered?? No it wasn't"],
         variants=[
             V("negative", "high", True,
               "Tracking for {order} says delivered on {date} but there's nothing here. I've checked "
               "with the neighbours and the building's mailroom. Can you open a claim with {courier}? "
               "The {product} was meant to be a birthday present.",
               "Order {order} marked delivered by {courier} on {date} but not received; customer asks for a courier claim."),
             V("angry", "high", True,
               "package says DELIVERED. it was NOT delivered. the photo on the tracking page shows a "
               "door that isn't even mine. order {order}. I want either a replacement sent today or my "
               "money back.",
               "Order {order} shows delivered with a photo of someone else's door; customer demands a replacement or refund."),
             V("neutral", "medium", True,
               "My order {order} shows as delivered but I haven't received it yet. Sometimes {courier} "
               "leaves parcels at the shop next door so I'll check there tomorrow, but wanted to flag it "
               "in case it's gone missing.",
               "Order {order} shows delivered but has not been received; customer will check a nearby shop first."),
         ]),
    dict(cat="order_change", topic="My order", tags=["address_change"],
         subjects=["Wrong address on order", "Change delivery address", "URGENT address change {order}"],
         variants=[
             V("neutral", "high", True,
               "I just placed order {order} and realised it's going to my old address. The new one is "
               "{address}. Can you update it before it ships? Thanks!",
               "Customer wants the delivery address on order {order} changed before dispatch."),
             V("negative", "high", True,
               "I messed up the address on {order}, typed flat 4 instead of flat 14. Please fix it "
               "before it goes out, the courier will never find it otherwise!!",
               "Customer typed the wrong flat number (4 instead of 14) on order {order}; wants it corrected before shipping."),
         ]),
    dict(cat="billing", topic="Payment", tags=["customs", "duties"],
         subjects=["Import fees??", "Customs charge on my parcel", "Asked to pay duties"],
         variants=[
             V("negative", "medium", True,
               "I live in {country} and the courier wants {amount} in import fees before they'll hand "
               "over my parcel ({order}). Your website said duties were included at checkout. Do I pay "
               "this and you refund it, or what?",
               "Courier is asking {amount} in import fees on order {order} although checkout said duties were included."),
         ]),
    dict(cat="product_question", topic="Product info", tags=["international_shipping"],
         subjects=["Shipping to {country}", "Question before ordering"],
         variants=[
             V("neutral", "low", False,
               "Before I order: if I ship to {country}, will I have to pay customs on top of the price? "
               "I'm looking at the {product}.",
               "Prospective customer asks whether customs charges apply when shipping the {product} to {country}."),
         ]),
    dict(cat="returns_refunds", topic="Returns & refunds", tags=["return_request"],
         subjects=["Return", "How do I return an item?", "Return label please", "returning {product}"],
         variants=[
             V("neutral", "low", False,
               "The {product} I bought (order {order}) doesn't really suit my space. It's unused and "
               "still in the box. How do I send it back, and do I have to pay for return shipping?",
               "Customer wants to return an unused {product} from order {order} and asks about return shipping costs."),
             V("neutral", "low", False,
               "hey can I return something I bought {days} days ago? it's the {product}, opened but "
               "barely used",
               "Customer asks if an opened, lightly used {product} bought {days} days ago can be returned."),
             V("positive", "low", False,
               "Love the shop but the {product} just isn't for me unfortunately. Could you send a return "
               "label for order {order}? Happy to take store credit instead if that's easier for you.",
               "Customer requests a return label for the {product} on order {order}; open to store credit."),
         ]),
    dict(cat="returns_refunds", topic="Returns & refunds", tags=["refund_delay"],
         subjects=["Refund not received", "Where is my refund", "Refund for {order}"],
         variants=[
             V("negative", "medium", True,
               "I sent back the {product} from order {order} on {date} and the tracking shows you "
               "received it. Still no refund on my card. How long does this usually take?",
               "Return for order {order} reached the warehouse but no refund yet; customer asks how long it takes."),
             V("angry", "high", True,
               "You received my return over {days} days ago. {amount} is still missing from my account. "
               "I've emailed twice already. If I don't see the refund this week I'm filing a chargeback "
               "with my bank.",
               "Refund of {amount} still missing {days} days after the return arrived; customer threatens a chargeback."),
             V("negative", "medium", True,
               "I'm writing about a return I made a while ago and honestly I'm not sure who else to ask. Back on "
               "{date} I sent back the {product} (order {order}) because it wasn't quite what I expected: the colour "
               "looked quite different from the photos and it was bigger than I'd thought. I used the label from "
               "your returns portal and dropped it at the {courier} shop the same day, and I kept the receipt. "
               "Tracking says it was delivered to your warehouse a couple of days later.\n\nSince then I haven't "
               "heard anything. No email saying it was received, no refund, nothing. I checked my bank statement "
               "again this morning and the {amount} still hasn't come back. I don't want to make a fuss and I know "
               "these things take time, but it's been over {days} days now and it's a fair amount of money for me. "
               "Could someone please check what's happened and tell me when I can expect the refund? Happy to send "
               "the drop-off receipt or anything else you need.",
               "Return of order {order} reached the warehouse over {days} days ago but no confirmation or {amount} refund yet; customer asks for an update.",
               subjects=["Return {order} - no refund yet", "Refund question"]),
         ]),
    dict(cat="returns_refunds", topic="Returns & refunds", tags=["damaged_item"], kinds="fragile elec kitchen",
         subjects=["Item arrived damaged", "Broken on arrival", "Damaged {product}"],
         variants=[
             V("negative", "high", True,
               "The {product} arrived today in a crushed box and it's damaged: there's a crack down one "
               "side and something rattles inside when I pick it up. I've attached photos. Order {order}. "
               "I'd like a replacement rather than a refund if possible.",
               "{product} from order {order} arrived cracked in a crushed box; customer wants a replacement (photos attached)."),
             V("angry", "high", True,
               "Opened my parcel and the {product} is in pieces. Did anyone even pack this?? One sheet "
               "of paper and no padding at all. Order {order}. Send a new one asap.",
               "{product} on order {order} arrived broken due to poor packaging; customer wants a replacement asap."),
         ]),
    dict(cat="returns_refunds", topic="My order", tags=["wrong_item"],
         subjects=["Wrong item received", "Not what I ordered", "Items missing from order"],
         variants=[
             V("negative", "medium", True,
               "I ordered the {product} but received a {product2} instead. Order {order}. Can you send "
               "the right one and tell me how to return this?",
               "Customer received a {product2} instead of the {product} on order {order}; wants the correct item.", subjects=["Wrong item received", "Not what I ordered"],
               two_products=True),
             V("neutral", "medium", True,
               "Small mix-up: order {order} should have had {qty} of the {product} but only {qty_minus} "
               "were in the box. The packing slip says {qty}.",
               "Order {order} is short: packing slip lists {qty} x {product} but only {qty_minus} arrived.", subjects=["Items missing from order", "Order {order} incomplete"],
               qty=True),
         ]),
    dict(cat="billing", topic="Payment", tags=["duplicate_charge"],
         subjects=["Charged twice!!", "Duplicate payment", "Double charge on my card"],
         variants=[
             V("angry", "urgent", True,
               "You've charged my card TWICE for order {order}, {amount} each time, both on {date}. "
               "That's money I need for rent. Fix this today please.",
               "Customer was charged {amount} twice for order {order}; needs the duplicate reversed urgently."),
             V("negative", "high", True,
               "I see two identical charges of {amount} on my statement from your store but I only placed "
               "one order ({order}). Could you look into it and refund the duplicate?",
               "Two identical {amount} charges for one order {order}; customer asks for the duplicate to be refunded."),
         ]),
    dict(cat="billing", topic="Payment", tags=["invoice"],
         subjects=["VAT invoice request", "Invoice for {order}", "Need an invoice"],
         variants=[
             V("neutral", "low", False,
               "Could you send me a proper VAT invoice for order {order}? It needs to show our company "
               "name ({company}) and our VAT number {vat}. The order confirmation email isn't accepted "
               "by our accounts team.",
               "Customer needs a VAT invoice for order {order} showing company name and VAT number."),
             V("neutral", "low", False,
               "hello, where can I download the invoice for {order}? can't find it anywhere in my account",
               "Customer cannot find where to download the invoice for order {order}."),
         ]),
    dict(cat="billing", topic="Payment", tags=["promo_code"],
         subjects=["Discount code didn't work", "{code} not applied", "Promo code question"],
         variants=[
             V("negative", "medium", True,
               "The code {code} from your newsletter didn't apply at checkout, it said \"not valid for "
               "items in your cart\". The newsletter said sitewide! The order went through at full price "
               "({order}). Can you refund the difference?",
               "Newsletter code {code} was rejected on order {order}; customer wants the discount refunded."),
             V("neutral", "low", False,
               "Does the {code} code work on sale items? I'm trying to buy the {product}.",
               "Customer asks whether code {code} applies to sale items such as the {product}."),
         ]),
    dict(cat="billing", topic="Payment", tags=["subscription", "cancellation"],
         subjects=["Charged after cancelling", "Kestrel Plus charge", "Cancelled but still billed"],
         variants=[
             V("angry", "high", True,
               "I cancelled my Kestrel Plus membership on {date} (I have the confirmation email) and you "
               "still charged me {amount} this month. I want it refunded and confirmation that I won't be "
               "charged again.",
               "Customer was charged {amount} for Kestrel Plus after cancelling on {date}; wants a refund and no further charges."),
         ]),
    dict(cat="order_change", topic="My order", tags=["cancellation"],
         subjects=["Cancel order", "Please cancel {order}", "cancel my order"],
         variants=[
             V("neutral", "medium", True,
               "Please cancel order {order}, I found the {product} cheaper locally. It hasn't shipped yet "
               "according to my account.",
               "Customer wants to cancel unshipped order {order} for the {product}."),
             V("negative", "high", True,
               "CANCEL order {order} please!!! ordered by mistake, my kid pressed buy now on my phone",
               "Order {order} was placed by accident by the customer's child; customer wants it cancelled."),
         ]),
    dict(cat="order_change", topic="My order", tags=["add_item"],
         subjects=["Add item to my order", "Question about order {order}"],
         variants=[
             V("neutral", "medium", True,
               "Can I still add a second {product} to order {order}, or do I need to place a new order? "
               "I'd like to avoid paying shipping twice.",
               "Customer wants to add a second {product} to order {order} to avoid paying shipping twice."),
         ]),
    dict(cat="technical_issue", topic="Website / app", tags=["checkout_bug", "app"],
         subjects=["App crashes at checkout", "Can't check out", "Error 502", "checkout broken"],
         variants=[
             V("negative", "medium", False,
               "Your app crashes every time I tap \"Pay\" on the checkout screen. iPhone 13, iOS 17.4, app "
               "version 5.2.1. I've reinstalled twice. I'm trying to buy the {product}.",
               "App crashes when tapping Pay at checkout (iPhone 13, iOS 17.4, app 5.2.1) despite reinstalling."),
             V("negative", "medium", False,
               "website keeps giving me \"Something went wrong (error 502)\" when I try to check out. "
               "tried chrome and firefox, cleared cookies. cart has the {product} in it",
               "Website checkout fails with error 502 in Chrome and Firefox; customer cannot buy the {product}."),
         ]),
    dict(cat="technical_issue", topic="Product info", tags=["bluetooth"], kinds="audio",
         subjects=["Won't pair", "Bluetooth problem", "{product} disconnecting"],
         variants=[
             V("negative", "medium", False,
               "My {product} won't pair with my laptop anymore. It worked fine for a month. Now it shows "
               "up in the Bluetooth list but fails with \"couldn't connect\". I already tried resetting by "
               "holding the button for 10 seconds.",
               "{product} stopped pairing with the customer's laptop after a month; a reset did not help.", subjects=["Won't pair", "Bluetooth problem"]),
             V("neutral", "low", False,
               "is there a firmware update for the {product}? the left side keeps cutting out for a second "
               "or two, mostly when I'm walking outside",
               "Customer asks about a firmware update because audio on one side of the {product} keeps cutting out.", subjects=["{product} disconnecting", "Firmware update?"]),
         ]),
    dict(cat="technical_issue", topic="Product info", tags=["wifi_setup"], kinds="smart",
         subjects=["Setup fails", "Can't connect to wifi", "{product} setup"],
         variants=[
             V("negative", "medium", False,
               "Trying to set up the {product} with the app. It gets to \"Connecting to Wi-Fi\" and then "
               "times out at 90%. My router does 5GHz and 2.4GHz on the same network name, if that matters.",
               "{product} setup times out while connecting to Wi-Fi; customer's router combines 2.4 and 5 GHz bands."),
             V("angry", "medium", False,
               "Spent two hours trying to get the {product} online. The app just spins. Your setup guide "
               "is useless. I want this working tonight or I'm returning it.",
               "Customer cannot get the {product} online after two hours of setup; threatens to return it."),
             V("negative", "medium", False,
               "So I've had the {product} for about three weeks and it was great at first, but since last weekend it "
               "keeps doing the same thing: it starts cleaning, does maybe ten minutes in the living room, then stops "
               "in the middle of the floor and the app says \"wheel stuck, please check\". Nothing is stuck. I've "
               "turned it over and cleaned both wheels and the brush (took out a lot of hair, we have a dog), wiped "
               "the sensors with a dry cloth like the manual says, and restarted both the robot and the dock. I also "
               "updated the app. It still happens on every single run, sometimes twice. I'd rather not send it back "
               "if there's a fix because otherwise I like it, but I'm running out of ideas. Is there a firmware "
               "update or a reset I haven't tried?",
               "{product} stops after ~10 minutes with a 'wheel stuck' error despite cleaning and restarting; customer asks for a fix.",
               kinds="vacuum", subjects=["{product} keeps stopping", "Wheel stuck error"]),
         ]),
    dict(cat="account_access", topic="My account", tags=["login", "password_reset"],
         subjects=["Can't log in", "Password reset not working", "Locked out"],
         variants=[
             V("negative", "high", False,
               "I can't log in and the password reset email never arrives. Checked spam. Tried three "
               "times today. My email is {email}.",
               "Customer cannot log in and does not receive password reset emails (spam folder checked)."),
             V("angry", "high", True,
               "locked out of my account after \"too many attempts\". I have an order in progress "
               "({order}) and can't even see the status. unlock it please",
               "Account locked after too many login attempts; customer needs access to check order {order}."),
         ]),
    dict(cat="account_access", topic="My account", tags=["2fa"],
         subjects=["Lost 2FA device", "Two-factor code problem"],
         variants=[
             V("neutral", "high", True,
               "I got a new phone and lost access to my authenticator app, so I can't get the 2FA code to "
               "sign in. How can I verify my identity so you can reset it?",
               "Customer lost their authenticator app when changing phones; needs 2FA reset after identity check."),
         ]),
    dict(cat="account_access", topic="My account", tags=["gdpr", "privacy"],
         subjects=["Data deletion request", "GDPR request", "Subject access request"],
         variants=[
             V("neutral", "medium", True,
               "Under GDPR Article 17 I request the deletion of my account and all personal data you "
               "hold about me. Please confirm within the statutory period. Account email: {email}.",
               "Customer requests deletion of their account and personal data under GDPR Article 17.", subjects=["Data deletion request", "GDPR request - erasure"]),
             V("neutral", "medium", True,
               "Please send me a copy of all the personal data you hold about me (subject access "
               "request). Thank you.",
               "Customer submits a data subject access request for a copy of their personal data.", subjects=["Subject access request", "GDPR data request"]),
         ]),
    dict(cat="product_question", topic="Product info", tags=["compatibility"],
         subjects=["Question about {product}", "Pre-sales question", "quick question"],
         variants=[
             V("neutral", "low", False,
               "Does the {product} work with a MacBook Air M2? The listing only mentions Windows.",
               "Customer asks if the {product} is compatible with a MacBook Air M2.", kinds="audio charge"),
             V("neutral", "low", False,
               "Quick question: is the {product} dishwasher safe? The manual I found online doesn't say.",
               "Customer asks whether the {product} is dishwasher safe.", kinds="kitchen"),
             V("positive", "low", False,
               "Thinking of getting the {product} for my dad. Is it easy to use for someone who isn't very "
               "techy? And does it come with a UK plug?",
               "Customer asks if the {product} suits a non-technical user and whether it has a UK plug.",
               kinds="smart elec"),
         ]),
    dict(cat="product_question", topic="Product info", tags=["restock"],
         subjects=["Back in stock?", "Restock question", "{product} sold out"],
         variants=[
             V("neutral", "low", False,
               "When will the {product} be back in stock in the larger size? I've been waiting a few weeks.",
               "Customer asks when the {product} will be restocked in the larger size.", kinds="sized"),
             V("positive", "low", False,
               "Any chance of a restock notification for the {product}? It's been sold out every time I "
               "check \U0001F605",
               "Customer wants to be notified when the sold-out {product} is restocked."),
         ]),
    dict(cat="product_question", topic="Product info", tags=["warranty"], kinds="elec",
         subjects=["Warranty question", "{product} stopped working", "Is this covered?"],
         variants=[
             V("neutral", "medium", True,
               "My {product} stopped turning on, it's about 14 months old. Is this still under warranty? "
               "I have the receipt (order {order}).",
               "{product} from order {order} stopped turning on after about 14 months; customer asks about warranty."),
         ]),
    dict(cat="complaint", topic="Other", tags=["courier_conduct"],
         subjects=["Complaint about your driver", "Unacceptable behaviour", "Complaint"],
         variants=[
             V("angry", "high", True,
               "The driver who delivered order {order} threw the parcel over my gate and then swore at "
               "my mother when she asked him to bring it to the door. This is unacceptable and I want it "
               "reported.",
               "Customer reports the courier for order {order} threw the parcel over the gate and swore at a family member.", subjects=["Complaint about your driver", "Unacceptable behaviour from courier"]),
             V("negative", "medium", True,
               "I was on chat with one of your agents yesterday and frankly they were dismissive and "
               "closed the chat while I was still typing. I just want someone to actually read my problem "
               "with the {product}.",
               "Customer complains a chat agent was dismissive and closed the chat; still needs help with the {product}.", subjects=["Complaint about chat support", "Unhelpful agent"]),
         ]),
    dict(cat="complaint", topic="Other", tags=["escalation", "repeat_fault"], kinds="elec",
         subjects=["FOURTH faulty item", "Final warning", "Absolutely fed up"],
         variants=[
             V("angry", "urgent", True,
               "This is the fourth {product} in a row that has arrived faulty. FOURTH. I've spent hours "
               "on this. If I don't get a full refund including shipping by tomorrow I'm going to my bank, "
               "trading standards and every review site I can find.",
               "Fourth faulty {product} in a row; customer demands a full refund by tomorrow or will escalate externally."),
         ]),
    dict(cat="feedback", topic="Other", tags=["praise"],
         subjects=["Thank you!", "Great service", "Just a quick thanks"],
         variants=[
             V("positive", "low", False,
               "Just wanted to say thanks: the {product} arrived a day early and it's even nicer in person. "
               "The handwritten note in the box was a lovely touch too. Will definitely order again.",
               "Customer praises early delivery, product quality and the handwritten note; no action needed.", subjects=["Thank you!", "Just a quick thanks"]),
             V("positive", "low", False,
               "Shoutout to Marco on your chat team who sorted out my return in about 5 minutes. Please "
               "pass it on!",
               "Customer compliments chat agent Marco for resolving their return quickly.", subjects=["Great service", "Please pass on my thanks"]),
         ]),
    dict(cat="feedback", topic="Other", tags=["suggestion"],
         subjects=["Suggestion", "Feedback on packaging", "Idea for your tracking page"],
         variants=[
             V("neutral", "low", False,
               "Suggestion: it would really help if the tracking page showed an estimated delivery window "
               "instead of just the date. I work shifts and never know when to be home.",
               "Customer suggests showing a delivery time window on the tracking page.", subjects=["Suggestion", "Idea for your tracking page"]),
             V("negative", "low", False,
               "Your packaging uses a LOT of plastic air pillows for small items. The {product} came in a "
               "box five times its size. Please consider paper filling or smaller boxes.",
               "Customer criticises excessive plastic packaging and oversized boxes, e.g. for the {product}.", subjects=["Feedback on packaging", "Too much plastic"]),
         ]),
    dict(cat="other", topic="Other", tags=["wholesale", "partnership"],
         subjects=["Wholesale enquiry", "Collaboration", "Business enquiry"],
         variants=[
             V("neutral", "low", True,
               "I run a small caf\u00e9 in {city} and would like to stock the {product}. Do you offer wholesale "
               "pricing for orders of 20+ units? Who should I speak to?",
               "Caf\u00e9 owner in {city} asks about wholesale pricing for 20+ units of the {product}.", subjects=["Wholesale enquiry", "Business enquiry"]),
             V("positive", "low", True,
               "I'm a content creator (about 40k followers, home & interiors) and would love to feature "
               "your products. Do you have a PR or collaborations contact?",
               "Content creator asks for a PR or collaborations contact.", subjects=["Collaboration", "PR contact?"]),
         ]),
    dict(cat="other", topic="Other", tags=["unsubscribe"],
         subjects=["Unsubscribe", "Stop emailing me", "remove me from mailing list"],
         variants=[
             V("negative", "low", False,
               "I keep getting your marketing emails even though I've unsubscribed twice. Please remove "
               "{email} from every list.",
               "Customer still receives marketing emails after unsubscribing twice; wants to be removed from all lists."),
         ]),
    dict(cat="spam", topic="Other", tags=["spam"],
         subjects=["Rank #1 on Google in 30 days", "Partnership opportunity", "Factory price LED panels"],
         variants=[
             V("neutral", "low", False,
               "I noticed your website isn't ranking on the first page of Google for your key terms. Our "
               "team can get you to #1 within 30 days, guaranteed. Reply today for a FREE audit!\n\nKevin\n"
               "Growth Specialist",
               "Unsolicited SEO marketing offer; not a customer request.", subjects=["Rank #1 on Google in 30 days", "Quick question about your website"], no_sign=True,
               sender=("Kevin Marsh", "kevin@rankrocket-seo.example")),
             V("neutral", "low", False,
               "Dear Sir/Madam, we are verified supplier of premium LED panel, MOQ 500 pcs, factory price. "
               "Please check our catalogue in attachment. Looking forward for cooperation.",
               "Unsolicited bulk supplier pitch; not a customer request.", subjects=["Factory price LED panels", "Partnership opportunity"], no_sign=True,
               sender=("Linda Zhou", "sales@brightstar-led-factory.example")),
         ]),
    dict(cat="technical_issue", topic="Product info", tags=["safety", "overheating"], kinds="charge",
         subjects=["Burning smell - safety issue", "Product overheated", "SAFETY: {product}"],
         variants=[
             V("negative", "urgent", True,
               "The {product} started giving off a burning smell last night and the charging port is "
               "scorched. I unplugged it straight away. This could have started a fire, my kids were asleep "
               "next door. What should I do with it?",
               "{product} gave off a burning smell and has a scorched charging port; possible fire hazard."),
             V("angry", "urgent", True,
               "The {product} got so hot it melted part of the casing and burned my hand. I need to know "
               "if this is a known issue. Order {order}.",
               "{product} from order {order} overheated, melted its casing and burned the customer."),
         ]),
]

# Non-English tickets: (lang, subject, scenario-like fields)
FOREIGN = [
    ("es", "Pedido retrasado", "shipping", "Delivery",
     V("negative", "medium", False,
       "Hola, hice el pedido {order} hace {days} d\u00edas y todav\u00eda no ha llegado. El seguimiento no "
       "se actualiza desde el {date_es}. \u00bfMe pueden decir qu\u00e9 pasa? Gracias.",
       "Order {order} has not arrived after {days} days and tracking stopped updating; customer asks for a status update.")),
    ("de", "Doppelte Abbuchung", "billing", "Payment",
     V("angry", "urgent", True,
       "Guten Tag,\n\nSie haben meine Kreditkarte f\u00fcr die Bestellung {order} zweimal belastet ({amount}). "
       "Ich erwarte eine sofortige R\u00fcckerstattung des doppelten Betrags.\n\nMit freundlichen Gr\u00fc\u00dfen",
       "Customer's card was charged twice ({amount}) for order {order}; demands an immediate refund of the duplicate.")),
    ("fr", "Produit arriv\u00e9 cass\u00e9", "returns_refunds", "Returns & refunds",
     V("negative", "high", True,
       "Bonjour,\n\nJ'ai re\u00e7u le {product} aujourd'hui mais il est arriv\u00e9 cass\u00e9 (le carton "
       "\u00e9tait compl\u00e8tement \u00e9cras\u00e9). Commande {order}. Pouvez-vous m'envoyer un "
       "remplacement ? Merci d'avance.",
       "{product} from order {order} arrived broken in a crushed box; customer asks for a replacement.",
       kinds="fragile")),
    ("pt", "Devolu\u00e7\u00e3o", "returns_refunds", "Returns & refunds",
     V("neutral", "low", False,
       "Ol\u00e1! Gostaria de devolver o {product} (pedido {order}). Ainda est\u00e1 na caixa, nunca usei. "
       "Como fa\u00e7o?",
       "Customer wants to return an unused {product} from order {order} and asks how.")),
    ("it", "Domanda spina", "product_question", "Product info",
     V("neutral", "low", False,
       "Buongiorno, il {product} \u00e8 disponibile con la spina italiana? Grazie mille.",
       "Customer asks whether the {product} is available with an Italian plug.", kinds="elec")),
    ("nl", "Kan niet inloggen", "account_access", "My account",
     V("negative", "high", False,
       "Hoi, ik kan niet meer inloggen op mijn account en de e-mail om mijn wachtwoord te resetten "
       "komt niet aan. Kunnen jullie helpen?",
       "Customer cannot log in and the password reset email does not arrive.")),
    ("de", "Danke!", "feedback", "Other",
     V("positive", "low", False,
       "Hallo zusammen, wollte nur kurz sagen: super schnelle Lieferung und die Qualit\u00e4t vom "
       "{product} ist top. Danke!",
       "Customer praises fast delivery and the quality of the {product}; no action needed.")),
    ("es", "Pedido incompleto otra vez", "complaint", "My order",
     V("angry", "high", True,
       "Es la segunda vez que me llega un pedido incompleto. Falta el {product} otra vez (pedido "
       "{order}). Estoy muy decepcionado con el servicio.",
       "Second incomplete order: the {product} is missing again from order {order}; customer is very unhappy.")),
    ("fr", "Annulation commande", "order_change", "My order",
     V("neutral", "medium", True,
       "Bonjour, je souhaiterais annuler ma commande {order}, je me suis tromp\u00e9 de mod\u00e8le. "
       "Cordialement",
       "Customer wants to cancel order {order} because they ordered the wrong model.")),
]

INSTRUCTION = (
    "You are a support triage assistant for " + STORE + ", an online store for electronics, home "
    "goods and outdoor gear. Read the ticket below and return ONLY a JSON object with these fields: "
    "category, priority (low/medium/high/urgent), sentiment, language (ISO 639-1), summary (one or two "
    "sentences in English, max 200 characters), entities (customer name/email, order ids as "
    "ORD-NNNNNN, products), requires_human (true/false) and optional tags. No markdown, no explanation."
)

GREETINGS = ["Hi,", "Hello,", "Hi there,", "Dear Customer Service,", "Hey,", "Hello team,",
             "To whom it may concern,", "Good morning,", "", "", "Hi {store} team,"]
SIGNOFFS = ["Thanks,\n{first}", "Best regards,\n{name}", "Cheers,\n{first}", "Regards,\n{name}",
            "Thanks in advance!\n{first}", "{first}", "thx", "Kind regards,\n{name}",
            "Thanks,\n{first}\n\nSent from my iPhone", "Many thanks,\n{first} {initial}.", "",
            "Best,\n{first}"]


def pick_product(r: random.Random, kinds: str | None, exclude=None):
    pool = TICKET_PRODUCTS
    if kinds:
        wanted = kinds.split()
        pool = [p for p in TICKET_PRODUCTS if any(k in p[2].split() for k in wanted)]
    pool = [p for p in pool if p != exclude]
    return r.choice(pool)


def render_order(num: str, r: random.Random) -> str:
    return r.choices(
        [f"ORD-{num}", f"#ORD-{num}", num, f"#{num}", f"ord-{num}", f"ORD {num}"],
        weights=[55, 10, 12, 12, 6, 5])[0]


def ticket_slots(r: random.Random, v: dict, kinds: str | None, lang: str = "en"):
    p = pick_product(r, v.get("kinds") or kinds)
    p2 = pick_product(r, None, exclude=p)
    num = f"{r.randint(100000, 999999)}"
    cur = r.choice(["USD", "USD", "GBP", "EUR", "EUR", "CAD"]) if lang == "en" else "EUR"
    amount = money(r.choice([19.99, 24.5, 39.0, 49.99, 64.95, 89.0, 129.99, 149.0, 212.4, 349.0]), cur)
    d = dt.date(2025, 1, 6) + dt.timedelta(days=r.randint(0, 80))
    qty = r.randint(2, 4)
    show_sku = r.random() < 0.25
    slots = {
        "product": f"{p[0]} ({p[1]})" if show_sku else p[0],
        "product2": p2[0],
        "order": render_order(num, r),
        "amount": amount,
        "date": fmt_date_phrase(d, r),
        "date_es": f"{d.day} de " + ["enero", "febrero", "marzo", "abril"][d.month - 1],
        "days": str(r.randint(4, 16)),
        "courier": r.choice(COURIERS),
        "city": r.choice(CITIES),
        "country": r.choice(COUNTRIES),
        "address": r.choice(ADDRESSES),
        "company": r.choice(COMPANIES),
        "vat": r.choice(["GB", "DE", "NL", "SE"]) + str(r.randint(100000000, 999999999)),
        "code": r.choice(CODES),
        "qty": str(qty),
        "qty_minus": str(qty - 1),
    }
    # canonical slots for the summary
    canon = dict(slots, product=p[0], product2=p2[0], order=f"ORD-{num}")
    products = []
    text = v["text"]
    if "{product}" in text:
        pm = {"name": p[0]}
        if show_sku:
            pm["sku"] = p[1]
        if v.get("qty"):
            pm["quantity"] = qty
        products.append(pm)
    if "{product2}" in text:
        products.append({"name": p2[0]})
    orders = [f"ORD-{num}"] if "{order}" in text else []
    return slots, canon, products, orders


def wrap_ticket(r: random.Random, cust: dict, body: str, subject: str, topic: str,
                raw_order: str | None, channel: str, no_sign: bool = False, lang: str = "en") -> str:
    if channel == "email":
        greet = "" if (lang != "en" or no_sign) else r.choice(GREETINGS).format(store="Kestrel")
        sign = "" if (no_sign or lang != "en") else r.choice(SIGNOFFS).format(
            first=cust["first"], name=cust["name"], initial=cust["last"][0])
        parts = [p for p in (greet, body, sign) if p]
        sender = cust["email"] if r.random() < 0.15 else f"{cust['name']} <{cust['email']}>"
        return f"Subject: {subject}\nFrom: {sender}\n\n" + "\n\n".join(parts)
    if channel == "form":
        return (f"Contact form submission\nName: {cust['name']}\nEmail: {cust['email']}\n"
                f"Order number: {raw_order or ''}\nTopic: {topic}\nMessage:\n{body}")
    if channel == "chat":
        t = dt.datetime(2025, 3, 1, r.randint(8, 21), r.randint(0, 59))
        lines = [f"Chat started {t:%H:%M} \u2014 visitor: {cust['first']} ({cust['email']})"]
        chunks = [c.strip() for c in body.replace("? ", "?\n").replace(". ", ".\n").split("\n") if c.strip()]
        # merge into 1-3 chat bubbles
        n = min(len(chunks), r.randint(1, 3))
        size = -(-len(chunks) // n)
        for i in range(0, len(chunks), size):
            t += dt.timedelta(seconds=r.randint(10, 70))
            lines.append(f"[{t:%H:%M:%S}] {cust['first']}: " + " ".join(chunks[i:i + size]))
        return "\n".join(lines)
    # social DM
    net = r.choice(["Instagram", "X (Twitter)", "Facebook Messenger"])
    return f"Direct message via {net} from {cust['handle']}:\n{body}"


def triage_for(v, cat, lang, cust, channel, canon, products, orders, tags, r):
    if channel == "dm":
        customer = {"name": None, "email": None, "handle": cust["handle"]}
    elif channel == "chat":
        customer = {"name": cust["first"], "email": cust["email"]}
    else:
        customer = {"name": cust["name"], "email": cust["email"]}
    out = {
        "category": v.get("cat") or cat,
        "priority": v["pri"],
        "sentiment": v["sent"],
        "language": lang,
        "summary": v["summary"].format(**canon),
        "entities": {"customer": customer, "order_ids": orders, "products": products},
        "requires_human": v["human"],
    }
    if tags and r.random() < 0.55:
        out["tags"] = list(tags)
    return out


# ---- realistic mistakes in completions ------------------------------------

LONG_TAIL = (" The customer also explains that they have already contacted support before about "
             "this, that they would prefer a quick resolution, and that they expect to be kept "
             "informed by email at every step of the process from now on.")


def break_triage(kind: str, obj: dict, r: random.Random):
    """Return a broken completion string, or None if the mistake doesn't apply."""
    o = json.loads(json.dumps(obj))
    if kind == "enum_case":
        o["priority"] = o["priority"].capitalize()
    elif kind == "enum_unknown":
        o["category"] = {"shipping": "delivery", "returns_refunds": "refund",
                         "billing": "payment", "technical_issue": "bug",
                         "account_access": "login_issue"}.get(o["category"], "general_inquiry")
    elif kind == "missing_field":
        del o[r.choice(["requires_human", "sentiment", "summary"])]
    elif kind == "bad_order_id":
        if not o["entities"]["order_ids"]:
            return None
        num = o["entities"]["order_ids"][0][4:]
        o["entities"]["order_ids"][0] = r.choice([f"#{num}", num, f"ORD-{num[:5]}", f"ORD{num}"])
    elif kind == "extra_property":
        if r.random() < 0.5:
            o["confidence"] = round(r.uniform(0.6, 0.98), 2)
        else:
            o["entities"]["customer"]["phone"] = None
    elif kind == "summary_too_long":
        o["summary"] = o["summary"] + LONG_TAIL
    elif kind == "invalid_email":
        e = o["entities"]["customer"].get("email")
        if not e:
            return None
        local, dom = e.split("@")
        o["entities"]["customer"]["email"] = r.choice([f"{local} at {dom}", f"{local}.{dom}"])
    elif kind == "wrong_type":
        o["requires_human"] = "yes" if o["requires_human"] else "no"
    elif kind == "trailing_comma":
        s = dumps(o, indent=2)
        return s[:-2] + ",\n}"
    elif kind == "code_fence":
        return "```json\n" + dumps(o, indent=2) + "\n```"
    elif kind == "truncated":
        s = dumps(o)
        return s[: int(len(s) * r.uniform(0.55, 0.85))]
    elif kind == "prose_prefix":
        return "Here is the triage for this ticket:\n\n" + dumps(o)
    else:
        raise ValueError(kind)
    return dumps(o)


TRIAGE_ERRORS = ["enum_case", "enum_unknown", "missing_field", "bad_order_id", "extra_property",
                 "summary_too_long", "invalid_email", "trailing_comma", "code_fence", "wrong_type",
                 "truncated", "prose_prefix"]

TRICKY = [
    dict(cat="shipping", topic="Delivery", subject="[bold red]URGENT[/] where is my order??", channel="email",
         v=V("negative", "high", False,
             "[bold red]URGENT[/] Order {order} was due on {date} and still nothing. Tracking just says "
             "\"in transit\". I need it before Saturday. Please reply!",
             "Order {order} is overdue and tracking only shows 'in transit'; customer needs it before Saturday."),
         tags=["delivery_delay"]),
    dict(cat="account_access", topic="My account", subject="Fwd: Your account has been suspended", channel="email",
         v=V("neutral", "high", True,
             "Got this email today claiming to be from you. Is it legit? It says:\n\n> Your Kestrel account "
             "has been suspended due to unusual activity. [link=http://evil.example]click[/link] here to "
             "verify your payment details within 24 hours.\n\nThe sender was "
             "security@kestrel-verify-account.example. I haven't clicked anything.",
             "Customer forwarded a suspected phishing email impersonating Kestrel that asks for payment details; link not clicked."),
         tags=["phishing", "security"]),
    dict(cat="technical_issue", topic="Product info", subject="Linux pairing tool crashes", channel="form",
         v=V("negative", "medium", False,
             "The desktop pairing tool for the {product} fails on Linux (Ubuntu 24.04). Here is exactly "
             "what I copied from the terminal:\n\n$ ./kestrel-pair --device auto\n\u001b[2J\u001b[HScanning "
             "for devices...\u0007\nERROR: handshake failed (code 0x2F)\n\nThe screen clears, it beeps, "
             "and then that error.",
             "Linux pairing tool for the {product} fails with handshake error 0x2F after clearing the screen.",
             kinds="smart"),
         tags=["linux", "pairing"]),
    dict(cat="complaint", topic="Other", subject="[b]read this[/b]", channel="dm",
         v=V("angry", "high", True,
             "[bold red]URGENT[/] [blink]!!![/blink] your \"support\" closed my ticket about order {order} "
             "without fixing anything \u0007\u0007 if this isn't sorted I'm posting everywhere",
             "Customer is angry that their ticket about order {order} was closed unresolved; threatens to post publicly."),
         tags=["escalation"]),
]


def make_support_tickets(n: int = 150) -> list[dict]:
    r = rng
    # build a schedule of (scenario, variant) so every variant appears and the mix is varied
    pool = []
    for sc in SCENARIOS:
        for v in sc["variants"]:
            pool.append(("en", sc, v))
    for lang, subj, cat, topic, v in FOREIGN:
        pool.append((lang, dict(cat=cat, topic=topic, tags=[], subjects=[subj]), v))
    n_regular = n - len(TRICKY)
    plan = list(pool)
    while len(plan) < n_regular:
        plan.append(r.choice([p for p in pool if p[0] == "en" and not p[2].get("no_sign")]))
    r.shuffle(plan)
    rows = []
    for lang, sc, v in plan:
        cust = person(r)
        if v.get("sender"):
            cust.update(name=v["sender"][0], first=v["sender"][0].split()[0], email=v["sender"][1])
        slots, canon, products, orders = ticket_slots(r, v, sc.get("kinds"), lang)
        slots["email"] = cust["email"]
        body = v["text"].format(**slots)
        if lang == "en" and not v.get("no_sign"):
            style = r.random()
            if style < 0.12:
                body = sloppy(body, r)
            elif style < 0.32:
                body = add_typos(body, 0.03, r)
        channel = r.choices(["email", "form", "chat", "dm"], weights=[50, 20, 20, 10])[0]
        if v.get("no_sign"):
            channel = "email"
        if "{email}" in v["text"] and channel == "dm":
            channel = "email"
        subject = r.choice(v.get("subjects") or sc["subjects"]).format(**slots)
        raw_order = slots["order"] if orders and r.random() < 0.8 else None
        prompt_ticket = wrap_ticket(r, cust, body, subject, sc["topic"], raw_order, channel,
                                    no_sign=v.get("no_sign", False), lang=lang)
        tags = sc["tags"][:]
        out = triage_for(v, sc["cat"], lang, cust, channel, canon, products, orders, tags, r)
        rows.append({"prompt": INSTRUCTION + "\n\nTicket:\n" + prompt_ticket, "_out": out})
    # tricky rows (always valid outputs) at random positions
    for t in TRICKY:
        cust = person(r)
        slots, canon, products, orders = ticket_slots(r, t["v"], None)
        body = t["v"]["text"].format(**slots)
        ticket = wrap_ticket(r, cust, body, t["subject"], t["topic"], slots["order"] if orders else None,
                             t["channel"])
        out = triage_for(t["v"], t["cat"], "en", cust, t["channel"], canon, products, orders, t["tags"], r)
        out["tags"] = t["tags"]
        row = {"prompt": INSTRUCTION + "\n\nTicket:\n" + ticket, "_out": out, "_tricky": True}
        rows.insert(r.randrange(len(rows) + 1), row)
    # choose ~15% to break
    candidates = [i for i, row in enumerate(rows) if not row.get("_tricky")]
    broken = set(r.sample(candidates, round(n * 0.15)))
    kinds = TRIAGE_ERRORS * 3
    ki = 0
    result = []
    for i, row in enumerate(rows):
        out = row["_out"]
        completion = None
        if i in broken:
            while completion is None:
                completion = break_triage(kinds[ki % len(kinds)], out, r)
                ki += 1
        else:
            completion = dumps(out, indent=2 if r.random() < 0.15 else None)
        result.append({"prompt": row["prompt"], "completion": completion})
    return result


# ---------------------------------------------------------------------------
# 2. Product listings (CSV: listing,attributes)
# ---------------------------------------------------------------------------

def N(name, **overrides):
    """A product name whose attributes differ from the rest of its type."""
    return dict(overrides, name=name)


def PT(cat, brands, names, price, colors=None, materials=None, sizes=None, dims=None,
       weight=None, features=(), warranty=None, used_ok=True, refurb_ok=False, tagline=()):
    return dict(cat=cat, brands=brands, names=names, price=price, colors=colors, materials=materials,
                sizes=sizes, dims=dims, weight=weight, features=list(features), warranty=warranty,
                used_ok=used_ok, refurb_ok=refurb_ok, tagline=list(tagline))


PRODUCT_TYPES = [
    # --- electronics
    PT("electronics", ["Sonara", "Auralis", "Pebble", "Kestrel Audio"],
       ["True Wireless Earbuds", "Air Lite Earbuds", "ANC Pro Earbuds", "Sport Fit Wireless Earbuds"],
       (39, 149), colors=["Black", "White", "Sage Green", "Midnight Blue", "Sand"], dims=(6, 5, 3),
       weight=(0.045, 0.06), warranty=[12, 24], refurb_ok=True,
       features=["Active noise cancellation", "Up to 30 hours battery with charging case",
                 "IPX4 sweat and splash resistant", "USB-C fast charging", "Bluetooth 5.3 with multipoint",
                 "Transparency mode", "Touch controls"],
       tagline=["all-day sound that fits in your pocket", "built for commutes and workouts"]),
    PT("electronics", ["Sonara", "Auralis", "Nordtone"],
       ["Aria ANC Wireless Headphones", "Studio 40 Over-Ear Headphones", "Commuter Foldable Headphones"],
       (59, 299), colors=["Black", "Silver", "Navy", "Cream"],
       materials=[["protein leather", "aluminium"], ["plastic", "memory foam"]], dims=(19, 17, 8),
       weight=(0.25, 0.33), warranty=[12, 24], refurb_ok=True,
       features=["Hybrid active noise cancelling", "40 mm dynamic drivers", "Up to 45 hours playback",
                 "Foldable design with carry case", "3.5 mm aux input", "Built-in microphone for calls"],
       tagline=["quiet on the outside, rich on the inside", "studio sound for everyday listening"]),
    PT("electronics", ["Volt", "Chargewell", "Kestrel"],
       ["20,000mAh Power Bank", "Slim 10,000mAh Power Bank", "Compact 10,000mAh Power Bank"],
       (19, 69), colors=["Black", "White", "Graphite", "Blue"], dims=(15, 7, 2.5), weight=(0.2, 0.45),
       warranty=[12, 18, 24],
       features=["2x USB-C, 1x USB-A", "65W Power Delivery", "LED charge indicator", "Airline carry-on safe",
                 "Charges a phone up to 4 times"],
       tagline=["never run flat again", "pocket-sized backup power"]),
    PT("electronics", ["Veil", "Lumix Home", "Brightnest"],
       ["Smart LED Bulb E27 (4-pack)", "Wi-Fi Colour Bulb GU10 (2-pack)", "Smart Colour Bulb E27"],
       (12, 49), dims=(6, 6, 11), weight=(0.05, 0.3), warranty=[24],
       features=["16 million colours", "Works with Alexa and Google Home", "No hub required",
                 "Dimmable, 2700K-6500K", "Schedules and timers via app"],
       tagline=["set the mood from your phone", "smart light without the hub"]),
    PT("electronics", ["Keyforge", "Tactile Labs", "Nordtone"],
       ["K75 Wireless Mechanical Keyboard", "TKL Hot-Swap Mechanical Keyboard", "Low Profile Mechanical Keyboard"],
       (59, 189), colors=["Black", "White", "Grey", "Lavender", "Olive"],
       materials=[["aluminium", "PBT"], ["ABS plastic"]], dims=(36, 14, 4), weight=(0.7, 1.2),
       warranty=[12, 24], refurb_ok=True,
       features=["Hot-swappable switches", "Bluetooth 5.1, 2.4 GHz and USB-C", "RGB backlight",
                 "PBT double-shot keycaps", "Mac and Windows layouts", "4000 mAh battery"],
       tagline=["the last keyboard you'll buy", "thock without the wires"]),
    PT("electronics", ["Sentry", "Kestrel Home"],
       ["Video Doorbell 2K", "Wireless Video Doorbell"],
       (79, 199), colors=["Black", "Silver"], dims=(13, 5, 3), weight=(0.2, 0.3), warranty=[12, 24],
       refurb_ok=True,
       features=["2K HDR video", "Two-way talk", "Motion zones", "Night vision", "Battery or hardwired"],
       tagline=["see who's there from anywhere", "never miss a parcel again"]),
    # --- furniture
    PT("furniture", ["Ergoline", "Studio North", "Kestrel Home"],
       ["Ergonomic Mesh Office Chair", "Task Chair with Lumbar Support", "High-Back Mesh Chair"],
       (149, 499), colors=["Black", "Grey", "Blue"],
       materials=[["mesh", "nylon", "steel"], ["recycled PET mesh", "aluminium"]],
       dims=(66, 66, 120), weight=(13, 22), warranty=[24, 60],
       features=["Adjustable lumbar support", "3D armrests", "Seat height 44-54 cm", "Tilt lock in 4 positions",
                 "Supports up to 136 kg"],
       tagline=["sit better for longer", "all-day comfort for your home office"]),
    PT("furniture", ["Liftwell", "Studio North"],
       ["Electric Standing Desk 140x70", "Dual-Motor Sit-Stand Desk", "Compact Standing Desk 120x60"],
       (299, 799), colors=["White", "Black", "Oak", "Walnut"],
       materials=[["bamboo", "steel"], ["oak veneer", "steel"], ["MDF", "steel"]], dims=(140, 70, 125),
       weight=(28, 45), warranty=[60, 84],
       features=["Dual motor, height 62-127 cm", "Memory presets", "Anti-collision sensor", "Cable tray included"],
       tagline=["stand up for your back", "quiet, smooth and stable"]),
    PT("furniture", ["Aalto Living", None],
       [N("Solid Oak Side Table", materials=[["solid oak"]], colors=["Natural Oak", "Smoked Oak", "Black"]),
        N("Round Side Table", materials=[["walnut", "brass"], ["ash"]]),
        N("Nesting Side Tables (set of 2)", materials=[["ash"], ["solid oak"]])],
       (89, 349), colors=["Natural", "Walnut", "Black"],
       dims=(45, 45, 50), weight=(4, 9),
       features=["Hand-finished with natural oil", "No assembly required", "Rounded edges"],
       tagline=["made slowly, built to last", "a small table with a big presence"]),
    # --- home & kitchen
    PT("home_kitchen", ["Tern", "Brewster", "Kestrel Home"],
       ["12-Cup Programmable Drip Coffee Maker", "10-Cup Drip Coffee Maker with Thermal Carafe"],
       (39, 189), colors=["Black", "Stainless Steel", "Cream", "Sage"],
       materials=[["stainless steel", "glass"], ["BPA-free plastic", "stainless steel"]],
       dims=(25, 20, 36), weight=(1.8, 3.5), warranty=[12, 24], refurb_ok=True,
       features=["24-hour programmable timer", "Keep-warm plate (40 min auto-off)", "Anti-drip pause",
                 "Reusable permanent filter", "Brew strength control"],
       tagline=["better mornings, automatically", "cafe-style coffee at home"]),
    PT("home_kitchen", ["Fino", "Hachi", "Kestrel Home"],
       [N("8-Piece Knife Block Set", weight=(1.6, 2.6), dims=(36, 15, 24), price=(129, 289)),
        N("Santoku Knife 18 cm", price=(39, 149)), N("Chef's Knife 20 cm", price=(45, 169))],
       (39, 289), colors=["Black", "Natural"],
       materials=[["German stainless steel", "acacia wood"], ["VG-10 Damascus steel", "pakkawood"],
                  ["high-carbon steel", "POM"]],
       weight=(0.2, 0.3), warranty=[60, 120],
       features=["Full tang", "Hand-sharpened 15\u00b0 edge", "Hand wash recommended", "Free sharpening service"],
       tagline=["sharp out of the box, sharp for years", "a cook's best friend"]),
    PT("home_kitchen", ["Forge", "Hearth & Co"],
       [N("Pre-Seasoned Cast Iron Skillet 28 cm", colors=None, materials=[["cast iron"]], price=(29, 69)),
        N("Enamelled Cast Iron Casserole 24 cm", materials=[["enamelled cast iron"]], dims=(33, 26, 16),
          weight=(4.2, 5.4), price=(99, 219)),
        N("Cast Iron Griddle Pan", colors=None, materials=[["cast iron"]], dims=(42, 27, 4), price=(35, 79))],
       (29, 219), colors=["Cherry Red", "Blue", "Cream", "Black"],
       materials=[["cast iron"]], dims=(45, 29, 6), weight=(2.2, 3.4),
       features=["Oven safe to 260 \u00b0C", "Works on induction", "Helper handle", "Lifetime guarantee"],
       tagline=["sear, bake, repeat", "heirloom cookware"]),
    PT("home_kitchen", ["Loam", None],
       [N("Stoneware Mug Set of 4", weight=(1.4, 1.8), price=(32, 59)),
        N("Handmade Speckled Mug", weight=(0.3, 0.42), price=(18, 29)),
        N("Stoneware Dinner Set (16 pcs)", weight=(5.5, 7.5), price=(89, 149))],
       (18, 149), colors=["Speckled White", "Sage", "Terracotta", "Charcoal", "Ocean Blue"],
       materials=[["stoneware"]], weight=(0.35, 6),
       features=["Dishwasher and microwave safe", "Reactive glaze, every piece unique", "Made in Portugal"],
       tagline=["for slow mornings", "made by hand in small batches"]),
    PT("home_kitchen", ["Wren", "Linnea"],
       [N("Stonewashed Linen Duvet Cover", materials=[["100% linen"]]),
        N("Organic Cotton Percale Duvet Cover", materials=[["organic cotton"]]),
        N("Waffle Duvet Cover", materials=[["cotton", "linen"], ["organic cotton"]])],
       (59, 219), colors=["White", "Oatmeal", "Sage", "Terracotta", "Charcoal", "Dusty Pink"],
       sizes=[["Single", "Double", "King"], ["Twin", "Full/Queen", "King"]], used_ok=False,
       features=["OEKO-TEX certified", "Button closure", "Pre-washed for softness", "Corner ties"],
       tagline=["the bedding that gets better with every wash", "relaxed, breathable, effortless"]),
    PT("home_kitchen", [None],
       [N("Hand-thrown Ceramic Vase", materials=[["stoneware"], ["porcelain"], ["terracotta"]]),
        N("Wheel-thrown Bud Vase", materials=[["porcelain"], ["stoneware"]], dims=(7, 7, 12), weight=(0.15, 0.3),
          price=(22, 45)),
        N("Large Stoneware Vase", materials=[["stoneware"]], dims=(22, 22, 40), weight=(2.2, 3.5), price=(75, 120))],
       (22, 120), colors=["Speckled Cream", "Moss Green", "Matte Black", "Ocean Blue"],
       dims=(15, 15, 25), weight=(0.6, 2),
       features=["Watertight glazed interior", "Signed on the base", "Each piece is one of a kind"],
       tagline=["made by hand in my studio", "small-batch ceramics"]),
    # --- apparel & footwear
    PT("apparel", ["Harbor", "Fjordwear", "Alder & Rye"],
       ["Merino Crew Neck Sweater", "Cable Knit Wool Jumper", "Fine Knit Merino Cardigan"],
       (49, 189), colors=["Navy", "Oatmeal", "Forest Green", "Charcoal", "Rust"],
       materials=[["100% merino wool"], ["wool", "cashmere"], ["merino wool", "nylon"]],
       sizes=[["XS", "S", "M", "L", "XL"], ["S", "M", "L"]],
       features=["Machine washable on wool cycle", "Mulesing-free wool", "Ribbed cuffs and hem"],
       tagline=["the one jumper you'll wear all winter", "soft, warm, never itchy"]),
    PT("apparel", ["Trail", "Fjordwear", "Northbound"],
       ["Packable Rain Jacket", "3-Layer Waterproof Shell", "Lightweight Rain Shell"],
       (69, 349), colors=["Yellow", "Black", "Olive", "Navy", "Red"],
       materials=[["recycled nylon"], ["polyester"]],
       sizes=[["XS", "S", "M", "L", "XL", "XXL"], ["S", "M", "L", "XL"]], weight=(0.2, 0.5),
       features=["20,000 mm waterproof rating", "Packs into its own pocket", "Adjustable hood", "Taped seams",
                 "Pit zips", "PFC-free DWR"],
       tagline=["weatherproof without the weight", "for days the forecast gets wrong"]),
    PT("footwear", ["Pace", "Stride Lab", "Northbound"],
       ["Road Running Shoes", "Trail Running Shoes", "Daily Trainer"],
       (79, 179), colors=["Black/White", "Grey", "Neon Yellow", "Blue", "Coral"],
       materials=[["engineered mesh", "EVA foam", "rubber"], ["recycled mesh", "rubber"]],
       sizes=[["EU 38", "EU 39", "EU 40", "EU 41", "EU 42", "EU 43", "EU 44", "EU 45"],
              ["US 7", "US 8", "US 9", "US 10", "US 11", "US 12"], ["UK 6", "UK 7", "UK 8", "UK 9", "UK 10"]],
       weight=(0.22, 0.33),
       features=["8 mm heel-to-toe drop", "Reflective details", "Breathable mesh upper", "Grippy rubber outsole"],
       tagline=["light, springy, ready for race day", "grip for every trail"]),
    PT("footwear", ["Alder & Rye", "Cobble", None],
       ["Chelsea Boots", "Leather Lace-Up Boots", "Handmade Work Boots"],
       (99, 329), colors=["Brown", "Black", "Tan"], materials=[["full-grain leather", "rubber"], ["suede", "rubber"]],
       sizes=[["EU 39", "EU 40", "EU 41", "EU 42", "EU 43", "EU 44", "EU 45"],
              ["UK 6", "UK 7", "UK 8", "UK 9", "UK 10", "UK 11"]],
       features=["Goodyear welted", "Resoleable", "Leather lining"],
       tagline=["break them in once, wear them for a decade", "classic boots, honest leather"]),
    # --- sports & outdoors
    PT("sports_outdoors", ["Fjell", "Northbound", "Summit"],
       ["3-Person Backpacking Tent", "2-Person Ultralight Tent", "4-Person Dome Tent"],
       (129, 599), colors=["Green", "Orange", "Grey"],
       materials=[["ripstop nylon", "aluminium"], ["polyester", "fibreglass"]], dims=(45, 18, 18),
       weight=(1.2, 4.5), warranty=[24, 36],
       features=["Freestanding", "Two doors and two vestibules", "3000 mm hydrostatic head",
                 "Pitches in 5 minutes"],
       tagline=["home, wherever you stop", "light enough for the long trails"]),
    PT("sports_outdoors", ["Asana Lab", "Kestrel Active", "Flowform"],
       [N("Natural Rubber Yoga Mat 4 mm", materials=[["natural rubber", "PU"]]),
        N("Travel Yoga Mat 1.5 mm", materials=[["TPE"], ["natural rubber"]], dims=(183, 61, 0.15), weight=(0.9, 1.1)),
        N("Cork Yoga Mat 5 mm", materials=[["cork", "natural rubber"]], colors=["Natural"], dims=(183, 61, 0.5))],
       (29, 119), colors=["Black", "Sage", "Lilac", "Teal"], dims=(183, 61, 0.4),
       weight=(0.9, 2.5), used_ok=False,
       features=["Non-slip surface", "Alignment lines", "Carry strap included", "PVC-free"],
       tagline=["grip that keeps up with you", "from studio to park"]),
    PT("sports_outdoors", ["Summit", "Northbound", "Fjell"],
       ["45L Hiking Backpack", "28L Daypack", "65L Trekking Pack"],
       (59, 279), colors=["Black", "Olive", "Rust", "Blue"],
       materials=[["recycled nylon"], ["Cordura nylon"], ["polyester"]], dims=(65, 32, 25), weight=(0.8, 2.1),
       warranty=[24, 60],
       features=["Adjustable back system", "Integrated rain cover", "Hydration sleeve", "Hip belt pockets"],
       tagline=["carry more, feel less", "from day hikes to hut-to-hut"]),
    # --- beauty
    PT("beauty_personal_care", ["Lumen Skin", "Verde Botanics", "Oro"],
       ["Vitamin C Brightening Serum 30 ml", "Hyaluronic Acid Serum 30 ml", "Retinol Night Serum 30 ml"],
       (14, 68), used_ok=False,
       features=["Fragrance-free", "Vegan and cruelty-free", "Suitable for sensitive skin", "Dermatologically tested"],
       tagline=["glow, bottled", "skin that looks rested"]),
    PT("beauty_personal_care", ["Brightsmile", "Oralis"],
       ["Sonic Electric Toothbrush", "Rechargeable Toothbrush with Travel Case"],
       (29, 149), colors=["White", "Black", "Pink", "Mint"], weight=(0.1, 0.15), warranty=[24], used_ok=False,
       refurb_ok=True,
       features=["2-minute timer", "3 cleaning modes", "Up to 30 days battery", "Pressure sensor"],
       tagline=["dentist-clean feeling every day", "a smarter brush"]),
    # --- toys
    PT("toys_games", ["Tinker Toys", "Little Grove", None],
       ["Wooden Building Blocks (100 pieces)", "Wooden Stacking Rainbow", "Wooden Train Set (40 pieces)"],
       (19, 89), colors=["Multicolour", "Natural"], materials=[["beech wood", "water-based paint"], ["pine wood"]],
       dims=(30, 20, 15), weight=(0.8, 2.4),
       features=["Ages 3+", "Non-toxic finish", "Storage bag included"],
       tagline=["open-ended play for curious minds", "build it, topple it, build it again"]),
    PT("toys_games", ["Meeple & Co", "Quillhouse Games"],
       ["Harbour Lights Strategy Board Game", "Skyward Cooperative Board Game", "Midnight Manor Mystery Game"],
       (14, 69), materials=[["cardboard", "wood"]], dims=(30, 30, 8), weight=(0.6, 1.8),
       features=["2-5 players", "45-90 minutes", "Ages 10+", "Solo mode included"],
       tagline=["game night, sorted", "easy to learn, hard to put down"]),
    # --- office
    PT("office_supplies", ["Quill & Ink", "Papier North"],
       ["Fountain Pen, Fine Nib", "Fountain Pen, Medium Nib"],
       (19, 149), colors=["Black", "Burgundy", "Forest Green", "Navy"], materials=[["brass", "resin"], ["aluminium"]],
       weight=(0.02, 0.04), warranty=[24],
       features=["Converter included", "Steel nib", "Comes in gift box", "Takes standard international cartridges"],
       tagline=["for people who still write things down", "a pen worth keeping"]),
    PT("office_supplies", ["Papier North", "Quill & Ink"],
       ["A5 Dot Grid Notebook", "A5 Lined Notebook (2-pack)"],
       (9, 29), colors=["Black", "Sage", "Navy", "Terracotta"], materials=[["recycled paper", "linen"]],
       dims=(21, 14.8, 1.5),
       features=["120 gsm paper", "Lay-flat binding", "Numbered pages", "Elastic closure"],
       tagline=["tidy desk, tidy mind", "paper that loves fountain pens"]),
    # --- garden & pets
    PT("garden", ["Greenfold", "Bloom & Root"],
       ["Expandable Garden Hose 30 m", "Expandable Garden Hose 15 m"],
       (19, 59), colors=["Green", "Anthracite"], materials=[["latex", "polyester"]], weight=(0.9, 1.6),
       features=["UV resistant", "7-pattern spray nozzle included", "Brass fittings", "Shrinks back for storage"],
       tagline=["grow more with less effort", "no more kinks"]),
    PT("garden", ["Bloom & Root", "Greenfold"],
       [N("Self-Watering Planter 40 cm", materials=[["recycled plastic"]], price=(29, 59)),
        N("Galvanised Steel Raised Bed 120 cm", materials=[["galvanised steel"]], dims=(120, 60, 30),
          weight=(9, 14), price=(89, 189), colors=["Anthracite", "Sage", "Silver"])],
       (29, 189), colors=["Anthracite", "Terracotta", "Sage"],
       dims=(40, 40, 35), weight=(1.2, 2.5),
       features=["Water level indicator", "No tools needed", "UV resistant", "Drainage holes"],
       tagline=["made for real gardens", "grow your own, the easy way"]),
    PT("pet_supplies", ["Pawsome", "Snug Hound", None],
       [N("Orthopaedic Dog Bed", materials=[["memory foam", "polyester"]]),
        N("Calming Donut Dog Bed", materials=[["faux fur", "polyester"]], dims=(80, 80, 22))],
       (29, 149), colors=["Grey", "Beige", "Navy", "Brown"],
       sizes=[["S", "M", "L", "XL"], ["M", "L"]], dims=(100, 75, 20), weight=(1.5, 5),
       features=["Removable washable cover", "Non-slip base", "Water-resistant liner"],
       tagline=["for good boys and girls with bad joints", "the nap spot they'll fight over"]),
    PT("pet_supplies", ["Whisker Works", "Pawsome"],
       ["Sisal Scratching Post 80 cm", "Cat Tree with Hammock"],
       (24, 119), colors=["Beige", "Grey"], materials=[["sisal", "plush", "particle board"]], dims=(40, 40, 80),
       weight=(3, 11),
       features=["Stable weighted base", "Replaceable sisal", "Hanging toy"],
       tagline=["save your sofa", "climb, scratch, snooze"]),
]

REGIONS = {
    # currency, rate from USD, imperial units?, language
    "US": ("USD", 1.0, True, "en"), "UK": ("GBP", 0.79, False, "en"), "EU": ("EUR", 0.92, False, "en"),
    "CA": ("CAD", 1.36, False, "en"), "AU": ("AUD", 1.52, False, "en"), "JP": ("JPY", 150.0, False, "en"),
    "SE": ("SEK", 10.5, False, "en"), "CH": ("CHF", 0.9, False, "en"),
    "DE": ("EUR", 0.92, False, "de"), "FR": ("EUR", 0.92, False, "fr"),
}
REGION_WEIGHTS = {"US": 34, "UK": 16, "EU": 12, "CA": 5, "AU": 5, "JP": 3, "SE": 3, "CH": 2, "DE": 12, "FR": 8}

COLOR_DE = {"Black": "Schwarz", "White": "Wei\u00df", "Grey": "Grau", "Navy": "Marineblau", "Blue": "Blau",
            "Green": "Gr\u00fcn", "Red": "Rot", "Brown": "Braun", "Beige": "Beige", "Sage": "Salbei",
            "Olive": "Oliv", "Silver": "Silber", "Yellow": "Gelb", "Orange": "Orange", "Natural": "Natur",
            "Cream": "Creme", "Charcoal": "Anthrazit", "Rust": "Rost"}
COLOR_FR = {"Black": "noir", "White": "blanc", "Grey": "gris", "Navy": "bleu marine", "Blue": "bleu",
            "Green": "vert", "Red": "rouge", "Brown": "marron", "Beige": "beige", "Sage": "vert sauge",
            "Olive": "olive", "Silver": "argent", "Yellow": "jaune", "Orange": "orange", "Natural": "naturel",
            "Cream": "cr\u00e8me", "Charcoal": "anthracite", "Rust": "rouille"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]


def nice_price(usd: float, cur: str, rate: float, r: random.Random) -> float:
    v = usd * rate
    if cur == "JPY":
        return float(int(round(v / 100.0)) * 100 - r.choice([0, 0, 20]))
    if cur == "SEK":
        return float(int(round(v / 10.0)) * 10 - 1)
    base = int(v)
    return round(base + r.choice([0.99, 0.99, 0.0, 0.95, 0.5]), 2)


def fmt_num(x: float) -> str:
    return f"{x:g}" if x == int(x) or abs(x - round(x, 1)) < 1e-9 else f"{x:.2f}"


def make_facts(r: random.Random, pt: dict, region: str) -> dict:
    cur, rate, imperial, lang = REGIONS[region]
    brand = r.choice(pt["brands"])
    name = r.choice(pt["names"])
    if isinstance(name, dict):
        pt = dict(pt, **name)
        name = name["name"]
    usd = r.uniform(*pt["price"])
    f = {"brand": brand, "name": name, "cat": pt["cat"], "region": region, "lang": lang,
         "price": nice_price(usd, cur, rate, r), "cur": cur}
    f["colors"] = r.sample(pt["colors"], r.randint(1, min(4, len(pt["colors"])))) if pt["colors"] else None
    f["materials"] = r.choice(pt["materials"]) if pt["materials"] else None
    f["sizes"] = r.choice(pt["sizes"]) if pt["sizes"] else None
    if pt["dims"] and r.random() < 0.7:
        j = r.uniform(0.85, 1.15)
        l, w, h = (d * j for d in pt["dims"])
        if imperial:
            def inch(x):
                x = x / 2.54
                return round(x * 2) / 2 if x >= 2 else max(0.1, round(x, 1))
            f["dims"] = (inch(l), inch(w), inch(h), "in")
        elif max(l, w, h) < 25 and r.random() < 0.5:
            f["dims"] = (round(l * 10), round(w * 10), max(1, round(h * 10)), "mm")
        else:
            f["dims"] = (round(l, 1 if l < 20 else 0), round(w, 1 if w < 20 else 0), max(0.1, round(h, 1)), "cm")
        f["dims"] = tuple(float(x) if i < 3 else x for i, x in enumerate(f["dims"]))
    else:
        f["dims"] = None
    if pt["weight"] and r.random() < 0.65:
        kg = r.uniform(*pt["weight"])
        if imperial:
            lb = kg * 2.20462
            f["weight"] = (round(kg * 35.274, 1), "oz") if lb < 1 else (round(lb, 1), "lb")
        else:
            f["weight"] = (float(round(kg * 1000)), "g") if kg < 1 else (round(kg, 1), "kg")
    else:
        f["weight"] = None
    f["features"] = r.sample(pt["features"], r.randint(1, min(4, len(pt["features"])))) if pt["features"] else []
    f["warranty"] = r.choice(pt["warranty"]) if pt["warranty"] and r.random() < 0.6 else None
    roll = r.random()
    f["condition"] = None
    if roll < 0.12 and pt["used_ok"] and lang == "en":
        f["condition"] = "used"
    elif roll < 0.2 and pt["refurb_ok"] and lang == "en":
        f["condition"] = "refurbished"
        f["warranty"] = 12
    f["in_stock"] = r.random() < 0.78 or f["condition"] == "used"
    f["stock_left"] = r.randint(1, 5)
    f["restock"] = r.choice(MONTHS[3:9])
    f["tagline"] = r.choice(pt["tagline"]) if pt["tagline"] else ""
    return f


def stock_line(f, r):
    if f["in_stock"]:
        return r.choice(["In stock", "In stock \u2013 ships within 24 hours", f"Only {f['stock_left']} left in stock",
                         "Available now", "Ready to ship", "In stock at our warehouse, dispatched same day if ordered before 2pm"])
    return r.choice(["Out of stock", "Sold out \u2013 join the waitlist", f"Pre-order: ships in {f['restock']}",
                     "Currently unavailable", f"Back-ordered, expected {f['restock']}"])


def join_en(items):
    items = list(items)
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


def dims_str(d, sep=" x "):
    return f"{fmt_num(d[0])}{sep}{fmt_num(d[1])}{sep}{fmt_num(d[2])} {d[3]}"


def listing_bullets(f, r):
    title = " ".join(x for x in (f["brand"], f["name"]) if x)
    lines = [title + (f" \u2013 {f['tagline']}" if f["tagline"] and r.random() < 0.6 else ""), ""]
    if f["condition"] == "refurbished":
        lines[0] = "Certified Refurbished: " + lines[0]
    for feat in f["features"]:
        lines.append(f"\u2022 {feat}")
    if f["colors"]:
        lines.append(f"\u2022 {r.choice(['Colour', 'Color', 'Colours', 'Available colors'])}: " + " / ".join(f["colors"]))
    if f["materials"]:
        lines.append("\u2022 Material: " + ", ".join(f["materials"]))
    if f["sizes"]:
        lines.append("\u2022 Sizes: " + ", ".join(f["sizes"]))
    if f["dims"]:
        lines.append("\u2022 Dimensions: " + dims_str(f["dims"]))
    if f["weight"]:
        lines.append(f"\u2022 Weight: {fmt_num(f['weight'][0])} {f['weight'][1]}")
    if f["warranty"]:
        lines.append(f"\u2022 {f['warranty']}-month warranty" if f["warranty"] % 12 else
                     f"\u2022 {f['warranty'] // 12}-year warranty")
    lines += ["", f"Price: {money(f['price'], f['cur'])}", stock_line(f, r)]
    if f["condition"] == "refurbished":
        lines.insert(2, "Fully tested and restored to factory settings. Minor cosmetic marks possible.")
    return "\n".join(lines)


CATEGORY_LABELS = {
    "electronics": "Electronics", "home_kitchen": "Home & Kitchen", "furniture": "Furniture",
    "apparel": "Clothing", "footwear": "Shoes", "sports_outdoors": "Sports & Outdoors",
    "beauty_personal_care": "Beauty & Personal Care", "toys_games": "Toys & Games",
    "office_supplies": "Office", "garden": "Garden", "pet_supplies": "Pet Supplies", "other": "Other",
}


def listing_spec(f, r):
    lines = []
    lines.append(f"Brand: {f['brand'] or 'Unbranded'}")
    lines.append(f"Model: {f['name']}")
    lines.append("Category: " + CATEGORY_LABELS[f["cat"]])
    if f["condition"] or r.random() < 0.4:
        lines.append(f"Condition: {(f['condition'] or 'new').capitalize()}")
    if f["colors"]:
        lines.append(f"Colour options: {', '.join(f['colors'])}")
    if f["materials"]:
        lines.append(f"Materials: {', '.join(f['materials'])}")
    if f["sizes"]:
        lines.append(f"Available sizes: {', '.join(f['sizes'])}")
    if f["dims"]:
        lines.append(f"Dimensions (L x W x H): {dims_str(f['dims'])}")
    if f["weight"]:
        lines.append(f"Net weight: {fmt_num(f['weight'][0])}{f['weight'][1]}")
    if f["warranty"]:
        lines.append(f"Warranty: {f['warranty']} months")
    if f["features"]:
        lines.append("Key features: " + "; ".join(f["features"]))
    lines.append(f"RRP: {money(f['price'], f['cur'])}")
    lines.append(f"Availability: {stock_line(f, r)}")
    return "\n".join(lines)


def listing_prose(f, r):
    who = f"the {f['brand']} {f['name']}" if f["brand"] else f"this {f['name'].lower()}"
    tag = f["tagline"]
    opener = r.choice([f"Meet {who} \u2014 {tag}.", f"Introducing {who}.",
                       f"{tag[0].upper() + tag[1:]}. That's the idea behind {who}."])
    parts = [opener]
    if f["condition"] == "refurbished":
        parts.insert(0, "Certified refurbished: tested, cleaned and reset, may show light signs of use.")
    if f["features"]:
        parts.append(r.choice(["Highlights: ", "Features: ", "What you get: "]) + "; ".join(
            x[0].lower() + x[1:] if not x[:2].isupper() else x for x in f["features"]) + ".")
    if f["materials"]:
        parts.append("Made from " + join_en(f["materials"]) + ".")
    if f["colors"]:
        parts.append(("Available in " if len(f["colors"]) > 1 else "Finished in ")
                     + join_en(c.lower() for c in f["colors"]) + ".")
    if f["sizes"]:
        parts.append(f"Sizes {f['sizes'][0]} to {f['sizes'][-1]} (" + ", ".join(f["sizes"]) + ").")
    if f["dims"]:
        parts.append("It measures " + dims_str(f["dims"], " \u00d7 ") +
                     (f" and weighs {fmt_num(f['weight'][0])} {f['weight'][1]}." if f["weight"] else "."))
    elif f["weight"]:
        parts.append(f"Weighs just {fmt_num(f['weight'][0])} {f['weight'][1]}.")
    if f["warranty"]:
        parts.append(f"Backed by our {f['warranty']}-month warranty.")
    para1 = " ".join(parts)
    return para1 + "\n\n" + f"{money(f['price'], f['cur'])} \u00b7 {stock_line(f, r)}"


CLASSIFIED_CITIES = {
    "US": ["Austin", "Denver", "Portland", "Columbus"], "UK": ["Leeds", "Brighton", "Bristol"],
    "EU": ["Porto", "Lyon", "Utrecht", "Bologna", "Valencia", "Graz", "Cork"], "CA": ["Toronto", "Halifax"],
    "AU": ["Melbourne", "Perth"], "JP": ["Osaka", "Fukuoka"], "SE": ["Malm\u00f6", "Uppsala"],
    "CH": ["Z\u00fcrich", "Basel"], "DE": ["Leipzig"], "FR": ["Nantes"],
}


def listing_classified(f, r):
    title = " ".join(x for x in (f["brand"], f["name"]) if x)
    state = r.choice(["used a handful of times", "barely used, still in the original box",
                      "about a year old, works perfectly", "some light scuffs but fully working",
                      "used for one season"])
    wearable = f["cat"] in ("apparel", "footwear")
    if wearable:
        state = r.choice(["worn a handful of times", "worn twice, basically new", "used for one season",
                          "some light wear but lots of life left"])
        reason = r.choice(["Bought the wrong size online.", "Doesn't fit me any more.", "Decluttering.",
                           "Gift that wasn't my style."])
    else:
        reason = r.choice(["Moving abroad so everything must go.", "Upgraded, no longer needed.",
                           "Gift I never ended up using.", "Decluttering."] +
                          (["Too big for our flat."] if f["cat"] == "furniture" else []))
    city = r.choice(CLASSIFIED_CITIES[f["region"]])
    lines = [f"FOR SALE: {title}", "", f"Selling my {title}, {state}. {reason}"]
    if f["colors"]:
        f["colors"] = f["colors"][:1]
        lines.append(f"Colour is {f['colors'][0].lower()}.")
    if f["sizes"]:
        f["sizes"] = [r.choice(f["sizes"])]
        lines.append(f"Size {f['sizes'][0]}.")
    if f["dims"] and r.random() < 0.5:
        lines.append(f"Approx {dims_str(f['dims'])}.")
    else:
        f["dims"] = None
    f["weight"] = None
    f["features"] = f["features"][:1]
    if f["features"]:
        lines.append(f"{f['features'][0]}, all works as it should." if f["cat"] == "electronics"
                     else f"{f['features'][0]}.")
    f["warranty"] = None
    f["materials"] = None
    step = {"JPY": 500, "SEK": 50}.get(f["cur"], 5)
    f["price"] = float(max(step, round(f["price"] * r.uniform(0.35, 0.6) / step) * step))
    shown = money(f["price"], f["cur"]).replace(".00", "")
    lines.append(f"{shown} {r.choice(['ono', 'or best offer', 'firm', 'obo'])}. Collection from {city}"
                 + r.choice([" or can post at cost.", " only.", ", cash or bank transfer."]))
    return "\n".join(lines)


def listing_de(f, r):
    lines = [" ".join(x for x in (f["brand"], f["name"]) if x), ""]
    if f["features"]:
        lines += [f"- {x}" for x in f["features"]]
    if f["colors"]:
        lines.append("Farbe: " + ", ".join(COLOR_DE.get(c, c) for c in f["colors"]))
    if f["materials"]:
        lines.append("Material: " + ", ".join(f["materials"]))
    if f["sizes"]:
        lines.append("Gr\u00f6\u00dfen: " + ", ".join(f["sizes"]))
    if f["dims"]:
        lines.append("Ma\u00dfe: " + dims_str(f["dims"]).replace(".", ","))
    if f["weight"]:
        lines.append(f"Gewicht: {fmt_num(f['weight'][0]).replace('.', ',')} {f['weight'][1]}")
    if f["warranty"]:
        lines.append(f"Garantie: {f['warranty']} Monate")
    lines.append(f"Preis: {f['price']:.2f} \u20ac".replace(".", ","))
    lines.append("Auf Lager, Lieferzeit 1\u20133 Werktage" if f["in_stock"] else
                 r.choice(["Derzeit nicht auf Lager", "Ausverkauft"]))
    return "\n".join(lines)


def listing_fr(f, r):
    title = " ".join(x for x in (f["brand"], f["name"]) if x)
    parts = [f"{title}."]
    if f["colors"]:
        parts.append("Disponible en " + ", ".join(COLOR_FR.get(c, c) for c in f["colors"]) + ".")
    if f["materials"]:
        parts.append("Mati\u00e8re : " + ", ".join(f["materials"]) + ".")
    if f["sizes"]:
        parts.append("Tailles : " + ", ".join(f["sizes"]) + ".")
    if f["dims"]:
        parts.append("Dimensions : " + dims_str(f["dims"]).replace(".", ",") + ".")
    if f["weight"]:
        parts.append(f"Poids : {fmt_num(f['weight'][0]).replace('.', ',')} {f['weight'][1]}.")
    feats = "\n".join(f"\u2713 {x}" for x in f["features"])
    price = f"{f['price']:.2f} \u20ac".replace(".", ",")
    stock = "En stock" if f["in_stock"] else r.choice(["Rupture de stock", "\u00c9puis\u00e9"])
    return " ".join(parts) + ("\n" + feats if feats else "") + f"\n\nPrix : {price} \u2013 {stock}"


def attributes_from(f) -> dict:
    a = {"brand": f["brand"], "name": f["name"], "category": f["cat"]}
    if f["condition"]:
        a["condition"] = f["condition"]
    a["price"] = {"amount": f["price"], "currency": f["cur"]}
    if f["colors"]:
        a["colors"] = list(f["colors"])
    if f["materials"]:
        a["materials"] = list(f["materials"])
    if f["sizes"]:
        a["sizes"] = list(f["sizes"])
    if f["dims"]:
        a["dimensions"] = {"length": f["dims"][0], "width": f["dims"][1], "height": f["dims"][2], "unit": f["dims"][3]}
    if f["weight"]:
        a["weight"] = {"value": f["weight"][0], "unit": f["weight"][1]}
    if f["features"]:
        a["features"] = list(f["features"])
    if f["warranty"]:
        a["warranty_months"] = f["warranty"]
    a["in_stock"] = f["in_stock"]
    return a


def break_product(kind: str, a: dict, r: random.Random):
    o = json.loads(json.dumps(a))
    if kind == "price_string":
        o["price"]["amount"] = f"{o['price']['amount']:.2f}"
    elif kind == "price_flat":
        o["price"] = money(o["price"]["amount"], o["price"]["currency"])
    elif kind == "currency_symbol":
        o["price"]["currency"] = {"USD": "$", "EUR": "\u20ac", "GBP": "\u00a3"}.get(o["price"]["currency"],
                                                                                  o["price"]["currency"].lower())
    elif kind == "category_bad":
        o["category"] = {"home_kitchen": "Kitchen", "apparel": "clothing", "footwear": "shoes",
                         "electronics": "Electronics", "sports_outdoors": "outdoor"}.get(o["category"], "misc")
    elif kind == "dup_colors":
        if not o.get("colors"):
            return None
        o["colors"].append(o["colors"][0])
    elif kind == "unit_bad":
        if "dimensions" in o:
            o["dimensions"]["unit"] = {"in": "inches", "cm": "centimeters", "mm": "millimetres"}[o["dimensions"]["unit"]]
        elif "weight" in o:
            o["weight"]["unit"] = {"lb": "lbs", "kg": "kilograms", "g": "grams", "oz": "ounces"}[o["weight"]["unit"]]
        else:
            return None
    elif kind == "missing_required":
        del o[r.choice(["in_stock", "brand", "category"])]
    elif kind == "extra_prop":
        o[r.choice(["rating", "sku", "url"])] = r.choice([4.6, "KX-" + str(r.randint(1000, 9999)),
                                                          "https://shop.example.com/p/" + str(r.randint(1000, 9999))])
    elif kind == "python_repr":
        return repr(o)
    elif kind == "weight_string":
        if "weight" not in o:
            return None
        o["weight"]["value"] = f"{fmt_num(o['weight']['value'])} {o['weight']['unit']}"
    elif kind == "in_stock_string":
        o["in_stock"] = "yes" if o["in_stock"] else "sold out"
    elif kind == "zero_dim":
        if "dimensions" not in o:
            return None
        o["dimensions"]["height"] = 0
    else:
        raise ValueError(kind)
    return dumps(o)


PRODUCT_ERRORS = ["price_string", "price_flat", "currency_symbol", "category_bad", "dup_colors", "unit_bad",
                  "missing_required", "extra_prop", "python_repr", "weight_string", "in_stock_string", "zero_dim"]


def make_product_listings(n: int = 100) -> list[dict]:
    r = rng
    types = PRODUCT_TYPES * (n // len(PRODUCT_TYPES) + 1)
    r.shuffle(types)
    rows = []
    for pt in types[:n]:
        region = r.choices(list(REGION_WEIGHTS), weights=list(REGION_WEIGHTS.values()))[0]
        f = make_facts(r, pt, region)
        if f["lang"] == "de":
            text = listing_de(f, r)
        elif f["lang"] == "fr":
            text = listing_fr(f, r)
        elif f["condition"] == "used":
            text = listing_classified(f, r)
        else:
            text = r.choices([listing_bullets, listing_spec, listing_prose], weights=[40, 30, 30])[0](f, r)
        rows.append({"listing": text, "_attrs": attributes_from(f)})
    broken = set(r.sample(range(n), round(n * 0.15)))
    kinds = PRODUCT_ERRORS * 3
    ki = 0
    out = []
    for i, row in enumerate(rows):
        if i in broken:
            s = None
            while s is None:
                s = break_product(kinds[ki % len(kinds)], row["_attrs"], r)
                ki += 1
        else:
            s = dumps(row["_attrs"])
        out.append({"listing": row["listing"], "attributes": s})
    return out


# ---------------------------------------------------------------------------
# 3. Tool calls (OpenAI chat fine-tuning format)
# ---------------------------------------------------------------------------

TIMEZONES = [
    # name, UTC offset (Apr-Jun 2025, DST where applicable), prefers fahrenheit
    ("Europe/Berlin", "+02:00", False), ("Europe/London", "+01:00", False),
    ("America/New_York", "-04:00", True), ("America/Los_Angeles", "-07:00", True),
    ("Europe/Lisbon", "+01:00", False), ("Asia/Tokyo", "+09:00", False),
    ("Australia/Sydney", "+10:00", False), ("America/Chicago", "-05:00", True),
    ("Europe/Madrid", "+02:00", False), ("America/Toronto", "-04:00", False),
]

SYSTEM_PROMPTS = [
    "You are a helpful assistant. Use the provided tools when they help answer the user's request. "
    "Current date: {date} ({weekday}). User timezone: {tz} (UTC{off}).",
    "You are Atlas, a personal assistant for scheduling and travel. Today is {weekday}, {long}. The user "
    "is in {tz}. Ask for missing details instead of guessing.",
    "You are an assistant with access to weather, calendar, flight search and currency conversion tools. "
    "The current date is {date}. Times are in {tz} (UTC{off}) unless the user says otherwise. Keep answers short.",
]

WEATHER_CITIES = [
    ("Porto", "Porto, Portugal"), ("Austin", "Austin, TX"), ("Kyoto", "Kyoto, Japan"),
    ("Reykjavik", "Reykjavik, Iceland"), ("Cape Town", "Cape Town, South Africa"),
    ("Vancouver", "Vancouver, BC"), ("Edinburgh", "Edinburgh, UK"), ("Mexico City", "Mexico City, Mexico"),
    ("Seoul", "Seoul, South Korea"), ("Denver", "Denver, CO"), ("Melbourne", "Melbourne, Australia"),
    ("Nairobi", "Nairobi, Kenya"), ("Oslo", "Oslo, Norway"), ("Bologna", "Bologna, Italy"),
    ("Paris", "Paris, France"), ("Chicago", "Chicago, IL"), ("Lisbon", "Lisbon, Portugal"),
    ("Berlin", "Berlin, Germany"), ("Tokyo", "Tokyo, Japan"), ("Madrid", "Madrid, Spain"),
]
AIRPORTS = [
    ("Lisbon", "LIS"), ("Berlin", "BER"), ("New York", "JFK"), ("London", "LHR"), ("Paris", "CDG"),
    ("Tokyo", "HND"), ("San Francisco", "SFO"), ("Chicago", "ORD"), ("Madrid", "MAD"), ("Rome", "FCO"),
    ("Amsterdam", "AMS"), ("Toronto", "YYZ"), ("Sydney", "SYD"), ("Singapore", "SIN"), ("Dubai", "DXB"),
    ("Mexico City", "MEX"), ("Copenhagen", "CPH"), ("Boston", "BOS"), ("Seattle", "SEA"), ("Vienna", "VIE"),
]
CURRENCIES = {
    # code: (units per USD, name, plural name, symbol)
    "USD": (1.0, "US dollar", "dollars", "$"), "EUR": (0.92, "euro", "euros", "\u20ac"),
    "GBP": (0.79, "pound", "pounds", "\u00a3"), "JPY": (151.2, "yen", "yen", "\u00a5"),
    "CAD": (1.37, "Canadian dollar", "Canadian dollars", "CA$"), "AUD": (1.52, "Australian dollar", "Australian dollars", "A$"),
    "CHF": (0.90, "Swiss franc", "Swiss francs", "CHF "), "MXN": (17.1, "Mexican peso", "pesos", "MX$"),
    "SEK": (10.6, "Swedish krona", "Swedish kronor", "SEK "), "INR": (83.4, "rupee", "rupees", "\u20b9"),
}
TOPICS = [  # one-to-one calls: (event title, how the user says it)
    ("Budget sync", "the budget"), ("Interview debrief", "the interview debrief"),
    ("Vendor contract review", "the vendor contract"), ("Catch-up", "catching up"),
    ("Intro call", "an intro to their team"), ("Q3 roadmap review", "the Q3 roadmap"),
]
TEAM_TOPICS = [
    ("Sprint planning", "sprint planning"), ("Launch retro", "the launch retro"), ("Hiring plan", "the hiring plan"),
    ("Design crit: onboarding flow", "the onboarding designs"), ("Q3 roadmap review", "the Q3 roadmap"),
]
PLACES = ["Caf\u00e9 Lisboa", "the Italian place on 5th", "Dishoom Kings Cross", "Kantine im Hof", "Blue Bottle, Hayes Valley"]
COND_ADJ = {"light rain": "drizzly", "showers": "showery", "thunderstorms": "stormy", "fog": "foggy",
            "clear": "clear", "rain": "rainy"}
CONDITIONS = ["sunny", "partly cloudy", "overcast", "light rain", "showers", "clear", "windy", "thunderstorms", "fog"]


def call_id(r: random.Random) -> str:
    return "call_" + "".join(r.choice(string.ascii_letters + string.digits) for _ in range(24))


def day_phrase(base: dt.date, r: random.Random, max_ahead: int = 12):
    k = r.randrange(5)
    if k == 0:
        return "tomorrow", base + dt.timedelta(days=1)
    if k == 1:
        ahead = r.randint(2, 6)
        d = base + dt.timedelta(days=ahead)
        return f"on {d:%A}", d
    if k == 2:
        ahead = r.randint(2, 6)
        d = base + dt.timedelta(days=ahead)
        return f"this {d:%A}", d
    d = base + dt.timedelta(days=r.randint(3, max_ahead))
    return (f"on {d:%B} {d.day}" if k == 3 else f"on the {d.day}{'th' if 11 <= d.day <= 13 else {1: 'st', 2: 'nd', 3: 'rd'}.get(d.day % 10, 'th')}"), d


def time_phrase(r: random.Random):
    h, m = r.choice([(9, 0), (9, 30), (10, 0), (11, 0), (12, 0), (13, 30), (14, 0), (15, 0), (16, 15), (17, 0), (8, 15)])
    if (h, m) == (12, 0) and r.random() < 0.5:
        return "noon", h, m
    hh = h if h <= 12 else h - 12
    ampm = "am" if h < 12 else "pm"
    say = r.choice([f"{hh}{ampm}" if m == 0 else f"{hh}:{m:02d}{ampm}", f"{h}:{m:02d}", f"{hh}:{m:02d} {ampm.upper()}"])
    return say, h, m


def weather_result(loc, unit, days, base, r):
    u = unit or "celsius"

    def temp(c):
        return round(c * 9 / 5 + 32) if u == "fahrenheit" else round(c)
    if not days:
        c = r.uniform(4, 31)
        return {"location": loc, "temperature": temp(c), "unit": u, "conditions": r.choice(CONDITIONS),
                "humidity": r.randint(30, 92), "wind_kph": r.randint(3, 38)}
    daily = []
    for i in range(days):
        hi = r.uniform(8, 31)
        pc = r.choice([0.0, 0.1, 0.2, 0.4, 0.6, 0.8])
        cond = (r.choice(["light rain", "showers", "thunderstorms", "rain"]) if pc >= 0.6 else
                r.choice(["overcast", "partly cloudy", "cloudy", "windy"]) if pc >= 0.3 else
                r.choice(["sunny", "clear", "partly cloudy", "fog"]))
        daily.append({"date": (base + dt.timedelta(days=i)).isoformat(), "high": temp(hi),
                      "low": temp(hi - r.uniform(5, 11)), "conditions": cond, "precip_chance": pc})
    return {"location": loc, "unit": u, "daily": daily}


def deg(u):
    return "\u00b0F" if u == "fahrenheit" else "\u00b0C"


def weather_answer(res, city, kind, r):
    u = res["unit"]
    if "daily" not in res:
        s = (f"Right now in {city} it's {res['temperature']}{deg(u)} and {COND_ADJ.get(res['conditions'], res['conditions'])}, with humidity around "
             f"{res['humidity']}% and wind at {res['wind_kph']} km/h.")
        if res["conditions"] in ("light rain", "showers", "thunderstorms"):
            s += " You'll want an umbrella if you're heading out."
        return s
    lines = []
    for d in res["daily"]:
        day = dt.date.fromisoformat(d["date"])
        lines.append(f"- {day:%a %-d %b}: {d['high']}/{d['low']}{deg(u)}, {d['conditions']}"
                     + (f" ({int(d['precip_chance'] * 100)}% chance of rain)" if d["precip_chance"] >= 0.4 else ""))
    wet = [d for d in res["daily"] if d["precip_chance"] >= 0.5]
    intro = r.choice([f"Here's the forecast for {city}:", f"{city} over the next {len(res['daily'])} days:"])
    if kind == "rain":
        outro = ("Yes, rain looks likely on " + join_en(dt.date.fromisoformat(d["date"]).strftime("%A") for d in wet) + "."
                 if wet else "No rain expected, so you should be fine without an umbrella.")
    elif kind == "pack":
        highs = [d["high"] for d in res["daily"]]
        cold = (min(highs) < (60 if u == "fahrenheit" else 15))
        outro = ("Pack layers and a warm jacket" if cold else "Light clothes should be fine") + \
                (", plus a rain jacket." if wet else ".")
    else:
        outro = ""
    return "\n".join([intro] + lines + ([outro] if outro else []))


def make_weather(ctx, r):
    base, imperial = ctx["base"], ctx["imperial"]
    city, loc = r.choice(WEATHER_CITIES)
    unit = "fahrenheit" if (imperial and r.random() < 0.75) else ("celsius" if r.random() < 0.4 else None)
    k = r.randrange(7)
    days, kind = None, "now"
    if k == 0:
        user = r.choice([f"What's the weather like in {city} right now?", f"weather in {city.lower()}?",
                         f"How's the weather in {city} at the moment?"])
    elif k == 1:
        to_sun = (6 - base.weekday()) % 7
        days = min(7, to_sun + 1) if to_sun >= 1 else 1
        user = f"Is it going to rain in {city} this weekend?"
        kind = "rain"
    elif k == 2:
        days = 2
        user = r.choice([f"weather {city} tmrw", f"what's tomorrow looking like in {city}, weather wise"])
    elif k == 3:
        days = r.randint(3, 5)
        user = f"I'm in {city} for the next {days} days. What should I pack, weather-wise?"
        kind = "pack"
    elif k == 4:
        unit = "fahrenheit"
        user = f"How hot is it in {city}? In Fahrenheit please."
    elif k == 5:
        days = r.choice([5, 7])
        user = r.choice([f"Give me the {days}-day forecast for {city}.", f"{days} day forecast {city} pls"])
    else:
        (c1, l1), (c2, l2) = r.sample(WEATHER_CITIES, 2)
        user = r.choice([f"Which is warmer right now, {c1} or {c2}?", f"Compare the weather in {c1} and {c2} today."])
        args = [{"location": l1}, {"location": l2}]
        if unit:
            for a in args:
                a["unit"] = unit
        results = [weather_result(l1, unit, None, base, r), weather_result(l2, unit, None, base, r)]
        t1, t2 = results[0]["temperature"], results[1]["temperature"]
        u = results[0]["unit"]
        warmer = c1 if t1 > t2 else c2
        ans = (f"{c1}: {t1}{deg(u)}, {COND_ADJ.get(results[0]['conditions'], results[0]['conditions'])}.\n"
               f"{c2}: {t2}{deg(u)}, {COND_ADJ.get(results[1]['conditions'], results[1]['conditions'])}.\n\n"
               + (f"{warmer} is warmer right now." if t1 != t2 else "They're the same temperature right now."))
        return {"user": user, "calls": [("get_weather", args[0]), ("get_weather", args[1])],
                "results": results, "answer": ans}
    args = {"location": loc}
    if unit:
        args["unit"] = unit
    if days:
        args["days"] = days
    res = weather_result(loc, unit, days, base, r)
    return {"user": user, "calls": [("get_weather", args)], "results": [res],
            "answer": weather_answer(res, city, kind, r)}


def rfc3339(d: dt.date, h: int, m: int, off: str) -> str:
    return f"{d.isoformat()}T{h:02d}:{m:02d}:00{off}"


def make_calendar(ctx, r):
    base, off = ctx["base"], ctx["off"]
    p = person(r)
    others = [person(r) for _ in range(3)]
    dp, d = day_phrase(base, r)
    ts, h, m = time_phrase(r)
    k = r.randrange(6)
    pre = []
    if k == 0:
        dur = r.choice([15, 30, 45])
        title, about = r.choice(TOPICS)
        user = r.choice([f"Schedule a {dur} min call with {p['email']} {dp} at {ts} about {about}.",
                         f"Can you put a {dur}-minute call with {p['email']} in my calendar {dp} at {ts}? It's about {about}."])
        args = {"title": title, "start": rfc3339(d, h, m, off), "duration_minutes": dur, "attendees": [p["email"]]}
    elif k == 1:
        title = r.choice(["Dentist", "Haircut", "Car service", "Physio", "Parent-teacher meeting", "Flu jab"])
        dur = r.choice([30, 45, 60])
        user = r.choice([f"Book '{title}' for {dp} at {ts}, it takes about {dur} minutes.",
                         f"add {title.lower()} {dp} {ts}, {dur} mins"])
        args = {"title": title, "start": rfc3339(d, h, m, off), "duration_minutes": dur}
    elif k == 2:
        title, about = r.choice(TEAM_TOPICS)
        emails = [o["email"] for o in others]
        user = (f"Can you set up a 1-hour session on {about} for the team {dp} at {ts}? "
                f"Invite {emails[0]}, {emails[1]} and {emails[2]}.")
        args = {"title": title, "start": rfc3339(d, h, m, off), "duration_minutes": 60, "attendees": emails}
    elif k == 3:
        place = r.choice(PLACES)
        h, m, ts = 12, 30, r.choice(["12:30", "half twelve", "12.30"])
        user = f"put lunch with {p['first']} in my calendar {dp} at {ts}, 90 mins, at {place}"
        args = {"title": f"Lunch with {p['first']}", "start": rfc3339(d, h, m, off), "duration_minutes": 90,
                "location": place}
    elif k == 4:
        user = f"Set up a meeting with {p['first']} {dp}."
        pre = [{"role": "user", "content": user},
               {"role": "assistant", "content": f"Sure. What time should it start, how long should it be, and what's "
                                                f"{p['first']}'s email address so I can send the invite?"}]
        dur = r.choice([30, 45, 60])
        user = r.choice([f"{ts}, {'half an hour' if dur == 30 else str(dur) + ' minutes'}. {p['email']}",
                         f"{ts} for {dur} min, email is {p['email']}"])
        args = {"title": f"Meeting with {p['first']}", "start": rfc3339(d, h, m, off), "duration_minutes": dur,
                "attendees": [p["email"]]}
    else:
        h, m = 9, 0
        user = f"Block 2 hours {dp} morning from 9 for deep work. No invites."
        args = {"title": "Deep work", "start": rfc3339(d, h, m, off), "duration_minutes": 120,
                "description": "Focus time - no meetings"}
    end = dt.datetime(d.year, d.month, d.day, h, m) + dt.timedelta(minutes=args["duration_minutes"])
    res = {"event_id": "evt_" + "".join(r.choice(string.ascii_lowercase + string.digits) for _ in range(12)),
           "status": "confirmed", "start": args["start"], "end": end.strftime("%Y-%m-%dT%H:%M:00") + off,
           "attendees_invited": len(args.get("attendees", []))}
    when = f"{d:%A, %B} {d.day} at {h:02d}:{m:02d}"
    ans = f"Done: \"{args['title']}\" is in your calendar for {when} ({args['duration_minutes']} min)."
    if args.get("attendees"):
        ans += " Invites sent to " + join_en(args["attendees"]) + "."
    if args.get("location"):
        ans += f" Location: {args['location']}."
    return {"pre": pre, "user": user, "calls": [("create_calendar_event", args)], "results": [res], "answer": ans}


def make_flights(ctx, r):
    base = ctx["base"]
    (c1, a1), (c2, a2) = r.sample(AIRPORTS, 2)
    d1 = base + dt.timedelta(days=r.randint(5, 60))
    d2 = d1 + dt.timedelta(days=r.randint(3, 14))
    k = r.randrange(4)
    args = {"origin": a1, "destination": a2, "departure_date": d1.isoformat()}
    if k == 0:
        user = r.choice([f"Find me flights from {c1} to {c2} on {d1:%B} {d1.day}.",
                         f"flights {c1} to {c2} {d1.day} {d1:%b}?"])
    elif k == 1:
        n = r.randint(2, 4)
        cabin = r.choice([("business", "business class"), ("premium_economy", "premium economy"), ("economy", "economy")])
        user = (f"I need {n} {cabin[1]} seats from {a1} to {a2}, leaving {d1:%B} {d1.day} and coming back "
                f"{d2:%B} {d2.day}.")
        args.update({"return_date": d2.isoformat(), "passengers": n, "cabin": cabin[0]})
    elif k == 2:
        d1 = base + dt.timedelta(days=r.randint(2, 6))
        args["departure_date"] = d1.isoformat()
        user = f"cheapest way to fly {c1.lower()} \u2192 {c2.lower()} this {d1:%A}? it's for me and my {r.choice(['wife', 'husband', 'partner', 'sister', 'colleague'])}"
        args["passengers"] = 2
    else:
        user = f"Any business class flights {c1}\u2013{c2} on {d1:%B} {d1.day}? Just me."
        args.update({"passengers": 1, "cabin": "business"})
    carriers = [("NordAir", "NA"), ("Aerolume", "AL"), ("Pacifica", "PF"), ("Skyline", "SK"), ("Atlantica", "AT")]
    results = []
    for _ in range(r.randint(2, 3)):
        name, code = r.choice(carriers)
        dep = dt.datetime(d1.year, d1.month, d1.day, r.randint(6, 20), r.choice([0, 5, 15, 30, 40, 55]))
        arr = dep + dt.timedelta(minutes=r.randint(95, 900))
        price = round(r.uniform(90, 1400) * (3.2 if args.get("cabin") == "business" else 1) * args.get("passengers", 1))
        results.append({"carrier": name, "flight_number": f"{code} {r.randint(100, 989)}",
                        "depart": dep.strftime("%Y-%m-%dT%H:%M"), "arrive": arr.strftime("%Y-%m-%dT%H:%M"),
                        "stops": r.choice([0, 0, 1]), "total_price": {"amount": float(price), "currency": "USD"}})
    results.sort(key=lambda x: x["total_price"]["amount"])
    res = {"results": results}
    lines = [f"Here are the best options from {a1} to {a2} on {d1:%a %-d %b}:"]
    for x in results:
        lines.append(f"- {x['carrier']} {x['flight_number']}: departs {x['depart'][11:]}, arrives {x['arrive'][11:]}"
                     f"{' (+1 day)' if x['arrive'][:10] != x['depart'][:10] else ''}, "
                     f"{'nonstop' if x['stops'] == 0 else '1 stop'}, ${x['total_price']['amount']:,.0f} total")
    lines.append("Want me to look at the return leg too?" if "return_date" not in args else
                 "Prices are for the round trip. Want me to check other dates?")
    return {"user": user, "calls": [("search_flights", args)], "results": [res], "answer": "\n".join(lines)}


def make_currency(ctx, r):
    c1, c2 = r.sample(list(CURRENCIES), 2)
    amt = r.choice([20, 45.5, 89.99, 100, 250, 500, 1250, 3000, 12.75, 30000 if c1 == "JPY" else 800])
    n1, n2 = CURRENCIES[c1], CURRENCIES[c2]
    amt_s = f"{amt:,}" if isinstance(amt, int) else f"{amt:,.2f}"
    k = r.randrange(4)
    if k == 0:
        user = f"How much is {amt_s} {n1[2]} in {n2[2]}?"
    elif k == 1:
        user = f"convert {amt_s} {c1} to {c2}"
    elif k == 2:
        user = f"I have {n1[3]}{amt_s} left over from my trip. What's that in {n2[2]}?"
    else:
        user = f"What's {amt_s} {c1} in {c2} today? Need it for an expense report."
    args = {"amount": amt, "from_currency": c1, "to_currency": c2}
    rate = round(n2[0] / n1[0] * r.uniform(0.99, 1.01), 4)
    result = round(amt * rate, 2)
    res = {"amount": amt, "from": c1, "to": c2, "rate": rate, "result": result, "as_of": ctx["base"].isoformat()}
    ans = r.choice([f"{amt_s} {c1} is about {result:,.2f} {c2} at today's rate (1 {c1} = {rate} {c2}).",
                    f"That's roughly {result:,.2f} {c2} ({c1}\u2192{c2} rate {rate} as of today)."])
    return {"user": user, "calls": [("convert_currency", args)], "results": [res], "answer": ans}


def make_combo(ctx, r):
    w = make_weather(dict(ctx), r)
    while len(w["calls"]) != 1 or "days" in w["calls"][0][1]:
        w = make_weather(dict(ctx), r)
    c = make_currency(ctx, r)
    loc = w["calls"][0][1]["location"].split(",")[0]
    amt, c1, c2 = c["calls"][0][1]["amount"], c["calls"][0][1]["from_currency"], c["calls"][0][1]["to_currency"]
    user = f"Heading to {loc} soon. What's the weather there right now, and how much is {amt:g} {c1} in {c2}?"
    return {"user": user, "calls": w["calls"] + c["calls"], "results": w["results"] + c["results"],
            "answer": w["answer"] + "\n\n" + c["answer"]}


def break_tool_call(kind: str, name: str, args: dict, r: random.Random):
    """Return (name, arguments_string) with a realistic mistake, or None if not applicable."""
    a = json.loads(json.dumps(args))
    if kind == "wrong_type":
        if name == "create_calendar_event":
            a["duration_minutes"] = str(a["duration_minutes"])
        elif name == "search_flights":
            a["passengers"] = str(a.get("passengers", 1))
        elif name == "convert_currency":
            a["amount"] = f"{a['amount']:g}"
        elif name == "get_weather":
            if "days" not in a:
                return None
            a["days"] = str(a["days"])
    elif kind == "missing_required":
        key = {"get_weather": "location", "create_calendar_event": "start", "search_flights": "departure_date",
               "convert_currency": "to_currency"}[name]
        del a[key]
    elif kind == "bad_enum":
        if name == "get_weather":
            a["unit"] = r.choice(["Celsius", "kelvin", "metric", "F"])
        elif name == "search_flights":
            a["cabin"] = r.choice(["coach", "Business", "premium"])
        else:
            return None
    elif kind == "not_offered":
        if name == "convert_currency":
            name, a = "get_exchange_rate", {"base": a["from_currency"], "target": a["to_currency"]}
        else:
            name = {"get_weather": "get_forecast", "create_calendar_event": "schedule_meeting",
                    "search_flights": "book_flight"}[name]
    elif kind == "bad_format":
        if name == "create_calendar_event":
            a["start"] = r.choice(["tomorrow at 3pm", a["start"][:16].replace("T", " "), a["start"][:10]])
        elif name == "search_flights":
            d = dt.date.fromisoformat(a["departure_date"])
            a["departure_date"] = r.choice([f"{d:%d/%m/%Y}", f"{d:%B} {d.day}"])
        else:
            return None
    elif kind == "bad_pattern":
        if name == "search_flights":
            a["origin"] = next(c for c, code in AIRPORTS if code == a["origin"])
        elif name == "convert_currency":
            a["to_currency"] = CURRENCIES[a["to_currency"]][2]
        else:
            return None
    elif kind == "bad_email":
        if name != "create_calendar_event" or not a.get("attendees"):
            return None
        a["attendees"][0] = a["attendees"][0].split("@")[0].split(".")[0].capitalize()
    elif kind == "out_of_range":
        if name == "create_calendar_event":
            a["duration_minutes"] = 0
        elif name == "get_weather":
            a["days"] = r.choice([10, 14])
        elif name == "search_flights":
            a["passengers"] = 0
        else:
            a["amount"] = -abs(a["amount"])
    elif kind == "not_json":
        return name, "{" + ", ".join(f"'{k}': {v!r}" for k, v in a.items()) + "}"
    elif kind == "extra_arg":
        extra = {"get_weather": ("date", "tomorrow"), "create_calendar_event": ("timezone", "local"),
                 "search_flights": ("max_price", 500), "convert_currency": ("date", "today")}[name]
        a[extra[0]] = extra[1]
    else:
        raise ValueError(kind)
    return name, json.dumps(a, ensure_ascii=False)


TOOL_ERRORS = ["wrong_type", "missing_required", "bad_enum", "not_offered", "bad_format", "bad_email",
               "bad_pattern", "out_of_range", "not_json", "extra_arg"]


def make_tool_calls(n: int = 80) -> list[dict]:
    r = rng
    tools = json.loads(TOOLS_FILE.read_text(encoding="utf-8"))
    makers = [make_weather] * 6 + [make_calendar] * 6 + [make_flights] * 4 + [make_currency] * 4 + [make_combo] * 1
    broken = set(r.sample(range(n), 12))
    kinds = TOOL_ERRORS * 3
    ki = 0
    rows = []
    for i in range(n):
        tz, off, imperial = r.choice(TIMEZONES)
        base = dt.date(2025, 4, 7) + dt.timedelta(days=r.randint(0, 74))
        ctx = {"base": base, "off": off, "imperial": imperial}
        sysmsg = r.choice(SYSTEM_PROMPTS).format(date=base.isoformat(), weekday=f"{base:%A}",
                                                 long=f"{base:%B} {base.day}, {base.year}", tz=tz, off=off)
        ex = r.choice(makers)(ctx, r)
        msgs = [{"role": "system", "content": sysmsg}] + ex.get("pre", []) + [{"role": "user", "content": ex["user"]}]
        calls = []
        for name, args in ex["calls"]:
            calls.append({"id": call_id(r), "type": "function",
                          "function": {"name": name, "arguments": json.dumps(args, ensure_ascii=False)}})
        if i in broken:
            res = None
            while res is None:
                kind = kinds[ki % len(kinds)]
                ki += 1
                res = break_tool_call(kind, ex["calls"][0][0], ex["calls"][0][1], r)
            calls[0]["function"] = {"name": res[0], "arguments": res[1]}
            msgs.append({"role": "assistant", "content": None, "tool_calls": calls})
        else:
            msgs.append({"role": "assistant", "content": None, "tool_calls": calls})
            if r.random() < 0.5:
                for c, result in zip(calls, ex["results"]):
                    msgs.append({"role": "tool", "tool_call_id": c["id"],
                                 "content": json.dumps(result, ensure_ascii=False)})
                msgs.append({"role": "assistant", "content": ex["answer"]})
        rows.append({"messages": msgs, "tools": tools})
    return rows


# ---------------------------------------------------------------------------
# 4. Preference pairs (TRL prompt/chosen/rejected)
# ---------------------------------------------------------------------------

PREF_SYSTEM = (
    "You are a customer support agent for Kestrel & Co. Write the reply to the customer's latest message. "
    "Policy: 30-day returns (free return label for faulty or damaged items); refunds are issued within 3 "
    "business days of a return arriving and take 5-7 business days to show; electronics carry a 2-year "
    "warranty; orders can be changed or cancelled until they ship; never ask for passwords or full card numbers."
)

AGENTS = ["Dana", "Sam", "Priya", "Jonas", "Mireille", "Tom", "Aiko", "Luis"]

# Each scenario: context (order info shown to the agent, optional), two customer message variants,
# the chosen reply, and two different bad replies (one is used per row).
PREF_SCENARIOS = [
    dict(context="Order {order}: shipped {date} via DHL, last scan {date2} at regional hub, no update since.",
         msgs=["Hi, my order {order} was supposed to arrive on Monday and it still isn't here. Tracking hasn't "
               "updated since {date2}. Can you help?",
               "where is my order?? {order}. tracking stuck for days"],
         chosen="Hi {first},\n\nSorry your order is running late. I've checked {order}: it left our warehouse on "
                "{date} and was last scanned at DHL's regional hub on {date2}. A parcel stuck at a hub is usually "
                "delayed in sorting rather than lost, but that's still longer than it should be.\n\nI've opened a "
                "trace with DHL today. If the tracking hasn't moved within 48 hours, just reply to this email and "
                "I'll send a replacement straight away, with no need to wait for the trace to finish.\n\nBest,\n{agent}",
         rejected=["Delivery times are estimates. Please wait a few more days and contact us again if it doesn't arrive.",
                   "Hi! Great news: your order will definitely arrive tomorrow before noon. I've also refunded the "
                   "full order as an apology, so it's free! \U0001F60A"]),
    dict(context="Order {order}: return received {date}, refund of {amount} issued {date2} to original card.",
         msgs=["I returned the {product} two weeks ago. When will I get my money back?",
               "Still no refund for my return ({order}). How long does this take?"],
         chosen="Hi {first},\n\nThanks for checking in. Your return arrived on {date} and we issued the refund of "
                "{amount} to your original card on {date2}. Banks usually take 5-7 business days to show it, so it "
                "should appear by {date3} at the latest.\n\nIf it isn't there by then, reply here and I'll send you "
                "the refund reference so your bank can trace it.\n\nKind regards,\n{agent}",
         rejected=["To process your refund, please reply with your full card number, the expiry date and the "
                   "3-digit security code on the back.",
                   "Refunds can take some time. We appreciate your patience. Is there anything else I can help you "
                   "with today?"]),
    dict(context="Order {order}: {product}, delivered {date}.",
         products=["Cinder electric kettle", "Tern coffee maker", "Forge enamelled casserole", "Tidal insulated bottle"],
         msgs=["The {product} arrived with a cracked lid. Really disappointed, it was a gift.",
               "Your {product} came broken. Order {order}. Not happy."],
         chosen="Hi {first},\n\nI'm really sorry, that's not the way a gift should arrive. I've sent a replacement "
                "{product} by express shipping today at no cost; you'll get tracking by email within a few hours. "
                "There's no need to send the damaged one back, please recycle it.\n\nIf you'd rather have a refund "
                "instead, just say so and I'll arrange it.\n\nBest wishes,\n{agent}",
         rejected=["Our items are packed carefully, so the damage most likely happened after delivery. "
                   "Unfortunately we can't take responsibility for that.",
                   "Please print the attached claim form, fill it in, and post it with the item in its original "
                   "packaging to our returns centre. Claims are assessed within 6-8 weeks."]),
    dict(context=None,
         msgs=["I'm not getting the password reset email. I've tried 3 times.",
               "password reset emails never arrive, I checked spam. help"],
         chosen="Hi {first},\n\nSorry for the hassle. Reset emails come from no-reply@kestrel.example and can take up "
                "to 10 minutes; some providers also file them under Promotions or Updates rather than Spam. I've "
                "just triggered a fresh reset link to the address on your account.\n\nIf it still doesn't show up in "
                "the next 15 minutes, reply here and I'll verify your identity another way and help you update the "
                "email on file.\n\nThanks,\n{agent}",
         rejected=["Please send me your current password and I'll log in and check what's wrong.",
                   "Our system is working fine, so the problem must be with your email provider. Please contact them."]),
    dict(context="Payments for order {order}: two authorisations of {amount} on {date}; one captured, one voided {date2}.",
         msgs=["YOU CHARGED ME TWICE. {amount} x2. Fix it NOW.",
               "Why are there two charges of {amount} on my card? I only ordered once ({order})."],
         chosen="Hi {first},\n\nI understand the worry, and I've looked into it straight away. You were only charged "
                "once for {order}. The second {amount} was a temporary authorisation created when the first payment "
                "attempt timed out. We cancelled it on {date2}, and your bank should release it within 3-5 business "
                "days.\n\nIf it's still showing after that, send me a screenshot of the statement and I'll contact "
                "our payment provider directly.\n\nBest,\n{agent}",
         rejected=["There's no need to shout. Our system doesn't charge twice, so you must have placed two orders.",
                   "This is a pending authorisation and it will disappear automatically in 30-60 business days. "
                   "There is nothing we can do from our side."]),
    dict(context="Order {order}: Harbor merino crew sweater, size M, delivered {date}.",
         msgs=["Hola, el jersey que compr\u00e9 me queda peque\u00f1o. \u00bfPuedo cambiarlo por una talla L? Pedido {order}.",
               "Buenas, \u00bfse puede cambiar la talla del jersey (pedido {order})? Necesito una L."],
         chosen="Hola {first}:\n\n\u00a1Claro que s\u00ed! Te he enviado por correo una etiqueta de devoluci\u00f3n gratuita "
                "para el jersey talla M. En cuanto lo escaneen en correos, te mandamos la talla L sin esperar a que "
                "llegue a nuestro almac\u00e9n.\n\nSi tienes cualquier duda, responde a este mensaje.\n\nUn saludo,\n{agent}",
         rejected=["Hi, we only provide support in English. Please resend your message in English.",
                   "Hi {first}, exchanges are not possible. Please return the item for a refund and place a new "
                   "order."]),
    dict(context=None,
         msgs=["Will the Trio 3-in-1 wireless charging stand charge my Pixel 8?",
               "does the trio charging stand work with android phones or only iphone?"],
         chosen="Hi {first},\n\nYes. The Trio stand works with any phone that supports Qi wireless charging, and "
                "that includes the Pixel 8. One thing to know: Qi charging is slower than the cable, so a full charge "
                "takes roughly 2.5-3 hours on the stand. The watch and earbud pads work with most Qi-compatible "
                "earbud cases, but not with non-Qi smartwatches.\n\nHappy to help if you have other questions.\n\n{agent}",
         rejected=["Yes, it is compatible with all phones and charges every device at full speed.",
                   "The Trio 3-in-1 is our best-selling premium charging solution, crafted with aerospace-grade "
                   "materials and designed to elevate your desk setup. Order now and enjoy free shipping over $50!"]),
    dict(context="Order {order}: shipped {date}, out for delivery.",
         msgs=["Please cancel order {order}, I don't need it anymore.",
               "cancel {order} pls, changed my mind"],
         chosen="Hi {first},\n\nI'm afraid {order} has already shipped and is out for delivery, so I can't cancel it "
                "from our side. You have two easy options:\n\n1. Refuse the parcel at the door and it will come back "
                "to us automatically, or\n2. Accept it and return it within 30 days using the return portal.\n\nEither "
                "way you'll get a full refund once it's back with us.\n\nBest,\n{agent}",
         rejected=["Done! I've cancelled your order and you'll get a full refund today.",
                   "Cancellation is not possible once an order has shipped."]),
    dict(context="Order {order}: {product}, purchased 14 months ago.",
         products=["Volt power bank", "Boom Mini speaker", "Pebble Buds 2 earbuds"],
         msgs=["My {product} stopped turning on. It's about 14 months old. Anything you can do?",
               "{product} is dead after a bit over a year. Is that covered?"],
         chosen="Hi {first},\n\nSorry to hear it's stopped working. Good news: electronics from us carry a 2-year "
                "warranty, so your {product} is covered. I've emailed you a prepaid label; once it reaches us we'll "
                "repair or replace it, usually within 7 business days.\n\nBefore you send it, it's worth trying one "
                "thing: charge it for 30 minutes with a different cable, then hold the power button for 15 seconds. "
                "That fixes a stuck battery controller in some units.\n\nBest,\n{agent}",
         rejected=["Sorry, our warranty only lasts 12 months, so there's nothing we can do.",
                   "Have you tried turning it off and on again?"]),
    dict(context=None,
         msgs=["Please delete my account and all my data.",
               "I want my account and personal data erased under GDPR."],
         chosen="Hi {first},\n\nI've started your deletion request. To confirm it's really you, we've sent a "
                "verification link to the email on your account; once you click it, your account and personal data "
                "will be deleted within 30 days. We're legally required to keep invoices for tax purposes, but "
                "they're stored separately and aren't used for anything else.\n\nYou'll get a confirmation email "
                "when it's done.\n\nRegards,\n{agent}",
         rejected=["Why do you want to delete your account? If you stay, we'll give you 10% off your next order!",
                   "Account deletion isn't possible, but you can unsubscribe from emails in your settings."]),
    dict(context="Order {order}: delivered {date}. Courier: Evri.",
         msgs=["Your driver threw my parcel over the fence and it landed in a puddle. Unacceptable.",
               "The courier literally threw my package over my gate ({order}). Is this normal??"],
         chosen="Hi {first},\n\nThat's not acceptable and I'm sorry it happened. I've reported the delivery to Evri "
                "with your order details so they can follow up with the driver. If anything inside was damaged, send "
                "me a photo and I'll replace it right away.\n\nThanks for letting us know; it helps us decide which "
                "couriers we keep working with.\n\n{agent}",
         rejected=["We are not responsible for the courier's behaviour. Please contact Evri directly.",
                   "lol that's wild. anyway, anything else?"]),
    dict(context="Product {product}: out of stock, no confirmed restock date.",
         msgs=["When will the {product} be back in stock?",
               "any news on a restock for the {product}? been waiting ages"],
         chosen="Hi {first},\n\nThanks for your patience. We don't have a confirmed restock date for the {product} "
                "yet. The best way to get it is the \"Notify me\" button on the product page: you'll get an email "
                "the moment stock lands, and those usually sell out within a day or two.\n\nI'm sorry I can't give "
                "you a firmer answer.\n\n{agent}",
         rejected=["It will be back on March 3rd, guaranteed.",
                   "No idea, check the website."]),
    dict(context="Order {order}: code SPRING20 rejected (sale items excluded per terms).",
         msgs=["My SPRING20 code didn't work on order {order}. The email said sitewide!",
               "promo code SPRING20 didnt apply, can you fix it"],
         chosen="Hi {first},\n\nSorry about the confusion. SPRING20 doesn't apply to items that are already on sale, "
                "which is why it was rejected. I can see the email wasn't clear about that, so as a one-off I've "
                "refunded 20% of the full-price items in {order} ({amount}) to your original payment method. It "
                "should show within 5-7 business days.\n\nBest,\n{agent}",
         rejected=["Promo codes can't be applied after purchase. Please read the terms next time.",
                   "I've applied the code and refunded your entire order."]),
    dict(context=None,
         msgs=["I run a small gift shop and would like to stock some of your homeware. Do you do wholesale?",
               "Hi, do you sell wholesale? I have a concept store in {city}."],
         chosen="Hi {first},\n\nThanks for thinking of us! Wholesale is handled by our B2B team at "
                "wholesale@kestrel.example. If you send them your shop name, location, the product lines you're "
                "interested in and rough quantities, they'll come back with the trade price list and minimum order "
                "amounts, usually within two business days.\n\nBest,\n{agent}",
         rejected=["Yes, we give 60% off for any business. Just place your order and email us afterwards.",
                   "We don't do that."]),
    dict(context=None,
         msgs=["Just wanted to say the {product} arrived early and it's lovely. Thanks!",
               "Great service, the {product} is perfect. Thank you!!"],
         chosen="Hi {first},\n\nThank you, that made our day! I'll pass your message on to the warehouse team, they'll "
                "be really pleased. Enjoy the {product}.\n\nWarm wishes,\n{agent}",
         rejected=["Thank you for your feedback. Your ticket number is #{ticket}. Have you considered Kestrel Plus "
                   "membership for just $9.99/month? Members get free shipping on every order!",
                   "Thank you for contacting Kestrel & Co. Customer Service. Your enquiry has been received and will "
                   "be handled in accordance with our service level agreement."]),
    dict(context="Order {order}: {product}.", products=["Volt power bank", "Boom Mini speaker", "Trio charging stand"],
         msgs=["The {product} got really hot while charging and now smells burnt. Is that normal?",
               "URGENT: {product} overheated and the plastic near the port has melted"],
         chosen="Hi {first},\n\nThank you for telling us. Please stop using the {product} and unplug it now, and "
                "don't charge it again. It isn't normal and we take this seriously. I've escalated it to our product "
                "safety team and arranged a free collection, and you'll get a full refund or replacement, whichever "
                "you prefer.\n\nIf you can, reply with a photo of the damage and the batch number printed on the "
                "underside; it helps us check other units. If anyone was hurt, please let me know.\n\n{agent}",
         rejected=["Some warmth is normal during charging. Let it cool down before using it again.",
                   "Please return it through the normal returns portal within 30 days for a refund."]),
    dict(context="Order {order}: packing record shows 3 x {product}; customer reports 2 received.",
         products=["Halo smart plug", "Tidal insulated bottle", "Loam stoneware mug", "Veil smart bulb"],
         msgs=["Order {order} was missing one of the three {product}s I paid for.",
               "only got 2 of 3 items in my order {order}"],
         chosen="Hi {first},\n\nSorry about that. I've sent the missing {product} out today at no charge and you'll "
                "get a tracking email shortly. No need to send anything back.\n\nBest,\n{agent}",
         rejected=["Our warehouse checks every order, so all items were included. Please check the box again.",
                   "Please send us a video of you opening the parcel so we can verify your claim."]),
    dict(context="Order {order}: dispatched {date}, carrier UPS.",
         msgs=["I need to change the delivery address on {order}, I'm moving this week!",
               "wrong address on {order}, can you change it?"],
         chosen="Hi {first},\n\n{order} has already been handed to UPS, so I can't edit the address on our side any "
                "more. I've asked UPS to redirect it, and you can also request this yourself through the UPS tracking "
                "link with the new address. If the redirect doesn't work, the parcel will come back to us and I'll "
                "reship it to your new address free of charge.\n\n{agent}",
         rejected=["Sure, updated!",
                   "Addresses can't be changed. You will need to collect it from the old address."]),
    dict(context="Kestrel Plus: cancelled {date}, renewal charge {amount} taken {date2} (system error).",
         msgs=["I cancelled Kestrel Plus last month and you still charged me {amount}.",
               "Why was I charged for a membership I cancelled??"],
         chosen="Hi {first},\n\nYou're right, and I'm sorry. Your cancellation on {date} went through, but a system "
                "error still took the {amount} renewal on {date2}. I've refunded it in full today (5-7 business days "
                "to show) and confirmed there are no further renewals scheduled on your account.\n\n{agent}",
         rejected=["According to our records you did not cancel. Membership fees are non-refundable.",
                   "I've refunded half of the charge as a goodwill gesture."]),
    dict(context="Order {order}: Aria ANC wireless headphones, firmware 2.1.",
         msgs=["My Aria headphones won't connect to my laptop anymore.",
               "aria headphones keep disconnecting from my pc"],
         chosen="Hi {first},\n\nLet's get them working again. Please try these steps in order:\n\n1. On the laptop, "
                "remove \"Aria ANC\" from the Bluetooth device list.\n2. With the headphones off, hold the power and "
                "ANC buttons together for 10 seconds until the light flashes red and blue.\n3. Pair again from the "
                "laptop.\n4. If it still drops, update the headphones to firmware 2.3 in the Kestrel Audio app; it "
                "fixes a known pairing issue with some Windows laptops.\n\nIf none of that helps, reply and I'll set up "
                "a warranty replacement.\n\n{agent}",
         rejected=["See our FAQ.",
                   "Bluetooth is a wireless technology standard used for exchanging data over short distances using "
                   "UHF radio waves. It was developed in 1994 and is named after a 10th-century Danish king..."]),
]

PREF_PRODUCTS = ["Cinder electric kettle", "Tern coffee maker", "Lumo desk lamp", "Volt power bank",
                 "Boom Mini speaker", "Loam stoneware mug set", "Wren duvet cover", "Orbit robot vacuum",
                 "Halo smart plug"]


def make_preferences() -> list[dict]:
    r = rng
    rows = []
    for sc in PREF_SCENARIOS:
        rej = list(sc["rejected"])
        r.shuffle(rej)
        for variant in range(2):
            p = person(r)
            d = dt.date(2025, 3, 3) + dt.timedelta(days=r.randint(0, 60))
            product = r.choice(sc.get("products") or PREF_PRODUCTS)
            slots = {
                "first": p["first"], "agent": r.choice(AGENTS), "order": f"ORD-{r.randint(100000, 999999)}",
                "product": product, "amount": money(r.choice([18.4, 24.99, 59.0, 89.95, 129.0, 12.5]), r.choice(["USD", "GBP", "EUR"])),
                "date": f"{d:%B} {d.day}", "date2": f"{(d + dt.timedelta(days=2)):%B} {(d + dt.timedelta(days=2)).day}",
                "date3": f"{(d + dt.timedelta(days=11)):%B} {(d + dt.timedelta(days=11)).day}",
                "city": r.choice(CITIES), "ticket": str(r.randint(100000, 999999)),
            }
            msg = sc["msgs"][variant].format(**slots)
            if r.random() < 0.25:
                msg = add_typos(msg, 0.05, r)
            prompt = PREF_SYSTEM + "\n\n"
            if sc["context"]:
                prompt += "Order info (internal): " + sc["context"].format(**slots) + "\n\n"
            prompt += f"Customer ({p['name']}): {msg}"
            rows.append({"prompt": prompt, "chosen": sc["chosen"].format(**slots),
                         "rejected": rej[variant].format(**slots)})
    r.shuffle(rows)
    return rows


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------

def write_jsonl(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def main() -> None:
    tickets = make_support_tickets(150)
    listings = make_product_listings(100)
    tool_rows = make_tool_calls(80)
    prefs = make_preferences()

    write_jsonl(HERE / "support_tickets.jsonl", tickets)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["listing", "attributes"])
    for row in listings:
        w.writerow([row["listing"], row["attributes"]])
    (HERE / "product_listings.csv").write_text(buf.getvalue(), encoding="utf-8", newline="")
    write_jsonl(HERE / "tool_calls.jsonl", tool_rows)
    (HERE / "preferences.json").write_text(json.dumps(prefs, ensure_ascii=False, indent=2) + "\n",
                                           encoding="utf-8", newline="\n")
    print(f"support_tickets.jsonl  {len(tickets)} rows")
    print(f"product_listings.csv   {len(listings)} rows")
    print(f"tool_calls.jsonl       {len(tool_rows)} rows")
    print(f"preferences.json       {len(prefs)} rows")


if __name__ == "__main__":
    main()
