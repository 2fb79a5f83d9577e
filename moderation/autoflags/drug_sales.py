"""Selling or sourcing drugs: a drug word next to an offer, a price per amount, or the emoji shorthand.

Members in recovery talk about drugs, dealers and old habits all the time, and
that talk is exactly what Hearth is for. So a drug word alone never counts, and
neither does a sale word alone ("selling my bike", "the plug in my bathroom",
"hmu if you need to talk"). What counts is the two together, in the present
tense, not framed as a memory or a craving ("I used to buy oxy every day").
Words that are also everyday words ("ice", "coke", "molly", "blues") need the
sale word right before them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from .finding import DRUG_SALES_NOTICE, Finding
from .folded import FoldedText

_TOKEN: Final = re.compile(r"[^\W_]+|[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]")

DRUG_WORDS: Final = frozenset((
    "oxy", "oxys", "oxies", "oxycodone", "oxycontin", "oxycotin", "roxy", "roxys", "roxies", "roxi", "roxis",
    "perc", "percs", "percz", "percocet", "percocets", "perkies", "perc30", "m30", "m30s", "fent", "fenty",
    "fentanyl", "fetty", "xanax", "xans", "xannies", "xanny", "zannies", "zans", "xanbars", "mdma", "ecstasy",
    "cocaine", "meth", "methamphetamine", "heroin", "smack", "pressies", "carts", "dabs", "shrooms", "lsd",
    "ketamine", "ket", "ghb", "adderall", "addys", "addy", "addies", "vyvanse", "suboxone", "subutex",
    "methadone", "dilaudid", "dillies", "hydros", "hydrocodone", "norco", "norcos", "vicodin", "opana",
    "klonopin", "kpins", "klonnies", "benzos", "valium", "kush", "edibles", "zaza", "yayo", "xylazine", "tranq",
    "dmt", "pcp", "k2", "codeine", "promethazine", "tramadol", "gabapentin", "gabbies", "opiates", "opioids",
    "morphine", "ritalin", "shards", "ketamin", "weed",
))
# Drug slang that is also an everyday word or a name.
AMBIGUOUS_DRUG_WORDS: Final = frozenset((
    "molly", "coke", "crack", "ice", "tina", "dope", "blues", "bars", "h", "tabs", "acid", "mushrooms", "x",
    "k", "snow", "blow", "crystal", "lean", "spice", "glass", "pills", "bud", "gas", "za", "subs", "boy", "girl",
    "white", "pot", "grass", "trees", "beans", "rock", "rocks", "tar", "gear", "pressed", "30s", "loud",
))
_NOT_A_DRUG_AFTER: Final = frozenset((
    "cream", "skating", "pack", "packs", "tea", "cube", "cubes", "coffee", "hockey", "rink", "bath", "water",
    "cold", "zero", "can", "bottle", "float", "pipe", "record", "records", "band", "music", "song", "station",
    "stove", "mileage", "scouts", "friend", "friends", "scout", "bottom", "climbing", "day", "storm", "shovel",
    "plant", "plants", "roast", "luck", "test", "strips", "strip", "kits", "kit", "reflux", "trip", "trips",
))
_NOT_A_DRUG_BEFORE: Final = frozenset(("a", "the", "my", "his", "her", "our", "their", "your", "diet", "of", "free"))
# Words allowed between a sale word and a drug: "selling some good ice".
_FILLER: Final = frozenset((
    "some", "that", "the", "good", "fire", "pure", "real", "fresh", "more", "plenty", "of", "em", "them", "all",
    "kinds", "any", "a", "few", "pressed", "legit", "cheap", "u", "you", "ya", "yall", "and", "or", "those",
))

STRONG_SALE_WORDS: Final = frozenset((
    "selling", "sellin", "sell", "sells", "menu", "restock", "restocked", "restocking", "instock", "delivery",
    "delivering", "deliver", "shipping", "ship", "discreet", "cop", "copping", "cashapp", "venmo", "zelle",
    "btc", "plug", "plugs", "\U0001F50C", "supply", "supplying", "stocked", "dealing",
))
WEAK_SALE_WORDS: Final = frozenset(("hmu", "dm", "pm", "inbox", "lmk", "holla", "msg"))
_NEGATORS: Final = frozenset((
    "used", "was", "were", "stopped", "quit", "never", "not", "no", "don", "didn", "won", "dont", "didnt", "wont",
    "t", "longer", "gave", "ex", "former", "old", "would", "wouldn", "my", "shameless", "spark", "ear", "usb",
))
_NARRATIVE: Final = re.compile(
    r"\b(?:used\s+to|back\s+when|years\s+ago|when\s+i\s+was|i\s+(?:bought|sold|used|would|relapsed|bought)|"
    r"relapse[ds]?|cravings?|craving|clean|sober|sobriety|recovery|sponsor|meetings?|hung\s+up|deleted|"
    r"blocked|my\s+(?:old\s+)?dealer|tempted|urges?|triggered|struggling|scared|offered\s+me|said\s+no|"
    r"turned\s+(?:it\s+)?down|talk|support|vent|prescribed|prescription|doctor|surgery|dentist|pharmacy)\b"
)
# Offers that count anywhere near a drug name.
_OFFER_PHRASE: Final = re.compile(
    r"\b(?:for|4)\s+sale\b|\bin\s+stock\b|\bgot\s+(?:that|them|em|dem|plenty)\b|"
    r"\b(?:dm|pm|text|inbox|hmu|message)\s+(?:me\s+)?(?:for|4)\s+(?:the\s+)?(?:menu|prices?|info|details)\b|"
    r"\bwho\s+(?:sells|selling|is\s+selling|s\s+selling)\b|\bany(?:one|body)?\s+(?:selling|sell)\b"
)
# Asking for drugs counts only right before the drug's name ("anyone got percs"),
# so "does anyone have tips for meth cravings" stays a question about recovery.
_SOURCING_PHRASE: Final = re.compile(
    r"\b(?:who\s+(?:has|got|s\s+got)|any(?:one|body)?\s+(?:got|have|has)|"
    r"where\s+(?:can|do|could)\s+(?:i|u|you|we)\s+(?:get|buy|cop|find|score|grab)|"
    r"(?:tryna|trying\s+to|looking\s+to|wanna|want\s+to)\s+(?:cop|score|buy|grab)|looking\s+for|"
    r"can\s+(?:i|u|you)\s+(?:get|sell\s+me|front\s+me))\b"
)
_CONTACT_PHRASE: Final = re.compile(r"\bhit\s+me\s+up\b|\btext\s+me\b|\bhmu\b|\b(?:dm|pm|inbox)\s+me\b")
_SOURCING_PLUG: Final = re.compile(
    r"\b(?:who(?:\s+is|['\u2019]?s|\s+got|\s+knows)?|any(?:one|body)?(?:\s+(?:got|have|know|knows))?|need|"
    r"looking\s+for|know|new|local|reliable)\s+(?:a\s+|the\s+|of\s+a\s+|good\s+|new\s+|local\s+|reliable\s+)?"
    r"plugs?\b(?!\s+(?:\w+\s+){0,2}(?:adapter|socket|outlet|charger|phone|laptop|extension|converter|"
    r"bathroom|kitchen|wall|usb|power|sink|drain|tub|podcast|channel|show|book))"
)
_MONEY: Final = r"(?:[$£€]\s?\d{1,5}(?:\.\d\d)?|\d{1,5}(?:\.\d\d)?\s?(?:\$|dollars|bucks|usd|quid|£|€)|\d{1,5})"
_UNIT_PRICE: Final = re.compile(
    rf"(?<![\w.])({_MONEY})\s{{0,2}}(?:a|an|per|for\s+(?:a|an|the|one|1)|/|each|ea)\s{{0,2}}"
    r"(point|pt|g|gram|grams|gs|8th|eighth|ball|zip|oz|ounce|qp|hp|stamp|bun|bundle|cart|tab|"
    r"pill|bar|piece|quarter|half|q)\b"
)
_UNIT_ALONE_OK: Final = frozenset((
    "point", "pt", "g", "gram", "grams", "gs", "8th", "eighth", "ball", "zip", "oz", "ounce", "qp", "hp",
    "stamp", "bun", "bundle", "cart", "tab",
))
_PRICE: Final = re.compile(r"[$£€]\s?\d|(?<![\w.])\d{1,5}(?:\.\d\d)?\s?(?:dollars|bucks|usd|quid)\b")
_HARM_REDUCTION: Final = re.compile(r"\b(?:narcan|naloxone|test\s+strips?|needle\s+exchange|harm\s+reduction)\b")
_SALE_AFTER: Final = re.compile(r"\s{1,3}(?:(?:for|4)\s+sale|in\s+stock)\b")
_PLUG_EMOJI: Final = "\U0001F50C"
_DRUG_EMOJI: Final = frozenset("\u2744\U0001F48A\U0001F343\U0001F344\U0001F489\U0001F33F\U0001F341\U0001F4A8\u26FD\U0001F9CA\U0001F36C")
_MONEY_EMOJI: Final = frozenset("\U0001F4B5\U0001F4B0\U0001F4B8\U0001F911\U0001F4B2")
_NEAR: Final = 12  # tokens between a drug word and an offer in the same message


@dataclass(slots=True)
class _Token:
    word: str
    start: int
    end: int


def _negated(tokens: list[_Token], index: int) -> bool:
    return any(token.word in _NEGATORS for token in tokens[max(0, index - 3):index])


def _sale_before(tokens: list[_Token], index: int) -> int | None:
    """Index of a strong sale word right before tokens[index], with only filler between."""
    for back in range(index - 1, max(-1, index - 5), -1):
        word = tokens[back].word
        if word in STRONG_SALE_WORDS or word == "got":
            return None if _negated(tokens, back) else back
        if word not in _FILLER:
            return None
    return None


def _only_filler_between(tokens: list[_Token], end: int, drug: int) -> bool:
    if tokens[drug].start < end:
        return False
    between = 0
    for index in range(drug - 1, -1, -1):
        if tokens[index].end <= end:
            return True
        if tokens[index].word not in _FILLER or between == 3:
            return False
        between += 1
    return False


def _finding(view: FoldedText, start: int, end: int, detail: str) -> Finding:
    original_start, original_end = view.span(start, end)
    return Finding("drug_sales", "sales", "hold", 3, original_start, original_end, detail, DRUG_SALES_NOTICE)


def find_drug_sales(view: FoldedText) -> Finding | None:
    text = view.leet
    tokens = [_Token(match.group(), match.start(), match.end()) for match in _TOKEN.finditer(text)]
    if not tokens:
        return None
    harm_reduction = _HARM_REDUCTION.search(text) is not None
    drugs: list[int] = []
    strong: list[int] = []
    weak: list[int] = []
    emoji: set[str] = set()
    folded = view.folded
    for index, token in enumerate(tokens):
        word = token.word
        if word not in DRUG_WORDS and word not in AMBIGUOUS_DRUG_WORDS:
            # Leetspeak folding must not hide names that contain digits ("m30s", "k2").
            raw = folded[token.start:token.end]
            if raw in DRUG_WORDS or raw in AMBIGUOUS_DRUG_WORDS:
                word = token.word = raw
        if word in DRUG_WORDS:
            following = tokens[index + 1].word if index + 1 < len(tokens) else ""
            if following not in _NOT_A_DRUG_AFTER and not (harm_reduction and word.startswith("fent")):
                drugs.append(index)
        elif word in AMBIGUOUS_DRUG_WORDS:
            following = tokens[index + 1].word if index + 1 < len(tokens) else ""
            preceding = tokens[index - 1].word if index else ""
            offered = _SALE_AFTER.match(text, token.end)
            if offered is not None and preceding not in _NOT_A_DRUG_BEFORE:
                return _finding(view, token.start, offered.end(), f"drug slang '{word}' offered for sale")
            seller = _sale_before(tokens, index)
            if seller is not None and following not in _NOT_A_DRUG_AFTER and preceding not in _NOT_A_DRUG_BEFORE:
                return _finding(view, tokens[seller].start, token.end,
                                f"offer word '{tokens[seller].word}' right before drug slang '{word}'")
        if word in STRONG_SALE_WORDS:
            if not _negated(tokens, index):
                strong.append(index)
        elif word == "got" and index + 1 < len(tokens) and tokens[index + 1].word in DRUG_WORDS:
            if not (index and tokens[index - 1].word in ("i", "ive", "we", "he", "she", "they", "had", "just")):
                strong.append(index)
        elif word in WEAK_SALE_WORDS:
            weak.append(index)
        if len(word) == 1 and not word.isalnum():
            emoji.add(word)

    narrative = _NARRATIVE.search(text) is not None
    if narrative:
        # "got percs after my surgery": "got" offers only when nothing frames it as a memory.
        strong = [index for index in strong if tokens[index].word != "got"]
    offer = _OFFER_PHRASE.search(text)
    sourcing = [match.span() for match in _SOURCING_PHRASE.finditer(text)]
    contact = _CONTACT_PHRASE.search(text)
    unit_price = _UNIT_PRICE.search(view.folded)

    for drug in drugs:
        token = tokens[drug]
        for sale in strong:
            if abs(sale - drug) <= _NEAR:
                near = tokens[sale]
                return _finding(view, min(token.start, near.start), max(token.end, near.end),
                                f"offer word '{near.word}' with drug name '{token.word}'")
        if offer is not None and abs(offer.start() - token.start) <= 80 and not harm_reduction:
            return _finding(view, min(token.start, offer.start()), max(token.end, offer.end()),
                            f"'{offer.group()}' with drug name '{token.word}'")
        for start, end in sourcing:
            if _only_filler_between(tokens, end, drug):
                return _finding(view, start, token.end, f"asks for drug name '{token.word}'")
        if narrative or harm_reduction:
            continue
        price = unit_price or _PRICE.search(view.folded)
        if price is not None:
            return _finding(view, min(token.start, price.start()), max(token.end, price.end()),
                            f"a price with drug name '{token.word}'")
        for index in weak:
            if abs(index - drug) <= _NEAR:
                near = tokens[index]
                return _finding(view, min(token.start, near.start), max(token.end, near.end),
                                f"'{near.word}' with drug name '{token.word}'")
        if contact is not None and abs(contact.start() - token.start) <= 80:
            return _finding(view, min(token.start, contact.start()), max(token.end, contact.end()),
                            f"'{contact.group()}' with drug name '{token.word}'")

    if unit_price is not None and unit_price.group(2) in _UNIT_ALONE_OK and not (narrative and not strong):
        return _finding(view, unit_price.start(), unit_price.end(), f"a price per '{unit_price.group(2)}'")

    if _PLUG_EMOJI in emoji and (emoji & (_DRUG_EMOJI | _MONEY_EMOJI) or weak or len(strong) > 1):
        return _emoji_finding(view, tokens, "the plug emoji with drug, money or contact emoji")
    if emoji & _MONEY_EMOJI and emoji & _DRUG_EMOJI:
        return _emoji_finding(view, tokens, "drug and money emoji together")

    plug = _SOURCING_PLUG.search(text)
    if plug is not None and not narrative:
        return _finding(view, plug.start(), plug.end(), f"asks for a dealer: '{plug.group()}'")
    return None


def _emoji_finding(view: FoldedText, tokens: list[_Token], detail: str) -> Finding:
    marks = [token for token in tokens if len(token.word) == 1 and not token.word.isalnum()]
    return _finding(view, marks[0].start, marks[-1].end, detail)
