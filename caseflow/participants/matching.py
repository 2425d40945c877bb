"""Who might this be? Fuzzy matching of people by name, nickname, alias, date of birth and phone.

Pure functions over plain values: callers fetch candidate columns (never whole rows) and
decide what to show. rapidfuzz does the string similarity; this module only decides which
strings to compare and how to weigh what agrees.

Ranking everyone does not scale (20,000 people took a third of a second a search), so candidates
come from a SQL prefilter: person_keys() gives each stored person a few dozen short keys
(participant_search_keys), probe_keys() turns what was typed into keys the same way, and only
people sharing a key are fetched and ranked. The keys are chosen so that every word pair
_word_similarity() rates a match shares one (same word or nickname, one edit each way, vowels
only, a typed start, a run-together name, a known word inside a longer typed one), plus the
birth date and the phone's last 7 digits; see "search keys" below for what they do not cover.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz, utils

# A name or alias at least this similar (0-100) counts as a match in search results.
NAME_MATCH = 80
# A full name (two or more words) this similar is a likely duplicate on its own...
STRONG_NAME = 85
# ...provided every word matched at least this well (a shared first name alone is not enough).
STRONG_WORD = 60
# A typed alias this close to a known alias is worth showing before creating a record.
LIKELY_ALIAS = 90
# Points that rank matches: a name scores up to 100, and each of these adds to it.
SAME_DOB_POINTS = 40
SWAPPED_DOB_POINTS = 15
SAME_PHONE_POINTS = 40
# Fewer digits than this is not a phone number worth comparing.
MIN_PHONE_DIGITS = 7

# Formal name -> common nicknames and spellings people give outreach workers.
_NICKNAME_GROUPS: dict[str, tuple[str, ...]] = {
    "michael": ("mike", "mikey", "mick", "mickey"),
    "anthony": ("tony", "ant"),
    "christopher": ("chris", "topher"),
    "william": ("bill", "billy", "will", "willie"),
    "james": ("jim", "jimmy", "jamie"),
    "elizabeth": ("liz", "lizzie", "beth", "betty", "eliza"),
    "robert": ("bob", "bobby", "rob", "robbie"),
    "richard": ("rick", "ricky", "rich", "richie"),
    "thomas": ("tom", "tommy"),
    "joseph": ("joe", "joey"),
    "david": ("dave", "davey"),
    "daniel": ("dan", "danny"),
    "matthew": ("matt", "matty"),
    "nicholas": ("nick", "nicky"),
    "steven": ("steve", "stevie", "stephen"),
    "alexander": ("alex", "xander"),
    "andrew": ("andy", "drew"),
    "edward": ("ed", "eddie", "ted"),
    "john": ("jon", "johnny", "jack"),
    "katherine": ("kate", "katie", "kathy", "cathy", "catherine", "kathryn"),
    "jennifer": ("jen", "jenny"),
    "samuel": ("sam", "sammy"),
    "benjamin": ("ben", "benny"),
    "gregory": ("greg",),
    "patricia": ("patty", "trish", "tricia"),
    "margaret": ("maggie", "peggy", "meg"),
    "terrence": ("terry", "terrance"),
    "lawrence": ("larry",),
    "raymond": ("ray",),
    "donald": ("don", "donnie"),
    "ronald": ("ron", "ronnie"),
    "kenneth": ("ken", "kenny"),
    "timothy": ("tim", "timmy"),
    "jeffrey": ("jeff", "geoffrey"),
    "charles": ("charlie", "chuck"),
    "sean": ("shawn", "shaun"),
    "muhammad": ("mohammed", "mohammad", "mohamed", "muhammed"),
}
NICKNAMES: dict[str, str] = {nick: formal for formal, nicks in _NICKNAME_GROUPS.items() for nick in nicks}

_ISO_DATE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
_US_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_PHONE = re.compile(r"\+?\(?\d[\d\s().\-]{5,}\d")


@dataclass(frozen=True)
class Probe:
    """What the user typed: name strings, aliases, a date of birth and phone digits."""

    names: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    date_of_birth: date | None = None
    phone: str = ""

    def __bool__(self) -> bool:
        return bool(self.names or self.aliases or self.date_of_birth or self.phone)


@dataclass(frozen=True)
class Candidate:
    """The plain columns of one stored person that ranking needs (whether the user may see them is asked after)."""

    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    phone: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Score:
    """How well a candidate matches a probe, why, and whether it is a likely duplicate."""

    candidate: Candidate
    points: float
    reasons: tuple[str, ...]
    strong: bool
    likely: bool


def canonical(word: str) -> str:
    """The formal name a nickname stands for (Mike -> michael); other words unchanged."""
    return NICKNAMES.get(word, word)


def words(text: str) -> list[str]:
    """Lower-case, accent-free name words; punctuation splits words and lone numbers are dropped."""
    plain = unicodedata.normalize("NFKD", text or "")
    if not plain.isascii():  # ASCII has no accents to drop (most names: skip the per-letter pass)
        plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return [w for w in utils.default_process(plain).split() if not w.isdigit()]


def phone_digits(text: str) -> str:
    """Digits only; a leading US country code 1 on an 11-digit number is dropped."""
    digits = "".join(ch for ch in text or "" if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits


def parse_date(text: str) -> date | None:
    """A date written 2004-03-09 or 03/09/2004 (US month first), or None."""
    text = (text or "").strip()
    iso = _ISO_DATE.fullmatch(text)
    us = _US_DATE.fullmatch(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if us:
            return date(int(us.group(3)), int(us.group(1)), int(us.group(2)))
    except ValueError:
        return None
    return None


def parse_search(text: str) -> Probe:
    """Split one search box into a date of birth, a phone number and name words."""
    rest = text or ""
    found_date = None
    for pattern in (_ISO_DATE, _US_DATE):
        match = pattern.search(rest)
        if match and found_date is None:
            found_date = parse_date(match.group(0))
            if found_date:
                rest = rest[: match.start()] + " " + rest[match.end() :]
    phone = ""
    for match in _PHONE.finditer(rest):
        digits = phone_digits(match.group(0))
        if len(digits) >= MIN_PHONE_DIGITS:
            phone = digits
            rest = rest[: match.start()] + " " + rest[match.end() :]
            break
    name = " ".join(words(rest))
    return Probe(names=(name,) if name else (), date_of_birth=found_date, phone=phone)


def _word_similarity(typed: str, known: str) -> tuple[float, str]:
    """How alike two words are (0-100) and how: same, nickname, start (typed a prefix) or spelling."""
    if typed == known:
        return 100.0, "same"
    if any(ch.isdigit() for ch in typed + known):
        # Numbers in a name ("Lil 9", "Young 2") are not spelling: only the same number matches.
        return 0.0, "spelling"
    if canonical(typed) == canonical(known):
        return 95.0, "nickname"
    spelled = max(fuzz.ratio(typed, known), fuzz.ratio(canonical(typed), canonical(known)))
    if len(typed) >= 3 and known.startswith(typed):
        return max(90.0, spelled), "start"
    return spelled, "spelling"


@dataclass(frozen=True)
class _Similarity:
    score: float
    weakest: float
    typed_words: int
    how: str
    nickname: tuple[str, str] | None = None


class _Matcher:
    """One probe against many candidates; names and words repeat, so each pair is compared once."""

    def __init__(self, probe: Probe):
        self.probe = probe
        self.typed = [tuple(w) for w in (words(t) for t in (*probe.names, *probe.aliases)) if w]
        self._words: dict[str, tuple[str, ...]] = {}
        self._pairs: dict[tuple[str, str], tuple[float, str]] = {}
        self._compared: dict[tuple[tuple[str, ...], tuple[str, ...]], _Similarity] = {}
        self._named: dict[tuple[str, str], tuple[_Similarity | None, bool]] = {}
        self._aliased: dict[str, tuple[float, ...]] = {}

    def words(self, text: str) -> tuple[str, ...]:
        if text not in self._words:
            self._words[text] = tuple(words(text))
        return self._words[text]

    def _word(self, typed: str, known: str) -> tuple[float, str]:
        key = (typed, known)
        if key not in self._pairs:
            self._pairs[key] = _word_similarity(typed, known)
        return self._pairs[key]

    def compare(self, typed: tuple[str, ...], known: tuple[str, ...]) -> _Similarity:
        """Each typed word against its best known word: the mean, the weakest, and the kind of match."""
        key = (typed, known)
        if key not in self._compared:
            self._compared[key] = self._compare(typed, known)
        return self._compared[key]

    def _compare(self, typed: tuple[str, ...], known: tuple[str, ...]) -> _Similarity:
        if not typed or not known:
            return _Similarity(0.0, 0.0, len(typed), "spelling")
        scores, hows, nickname = [], set(), None
        for word in typed:
            (score, how), best = max(((self._word(word, k), k) for k in known), key=lambda pair: pair[0][0])
            scores.append(score)
            hows.add(how)
            if how == "nickname" and nickname is None:
                nickname = (word, best)
        mean, weakest = sum(scores) / len(scores), min(scores)
        # Words run together or split apart ("DeShawn" / "De Shawn") still compare as one string.
        typed_joined, known_joined = "".join(typed), "".join(known)
        if not any(map(str.isdigit, typed_joined + known_joined)):
            joined = fuzz.ratio(typed_joined, known_joined)
            if joined > mean:
                return _Similarity(joined, joined, len(typed), "same" if joined == 100 else "spelling")
        for how in ("nickname", "spelling", "start"):
            if how in hows:
                return _Similarity(mean, weakest, len(typed), how, nickname)
        return _Similarity(mean, weakest, len(typed), "same")

    def _full_name(self, first_name: str, last_name: str) -> tuple[_Similarity | None, bool]:
        """The best typed name against one full name, and whether it is strong: once per distinct name."""
        key = (first_name, last_name)
        if key not in self._named:
            full_name = self.words(f"{first_name} {last_name}")
            best_name: _Similarity | None = None
            strong_name = False
            for typed in self.typed:
                similarity = self.compare(typed, full_name)
                if best_name is None or similarity.score > best_name.score:
                    best_name = similarity
                if (
                    similarity.typed_words >= 2
                    and similarity.score >= STRONG_NAME
                    and similarity.weakest >= STRONG_WORD
                ):
                    strong_name = True
            self._named[key] = (best_name, strong_name)
        return self._named[key]

    def _alias(self, alias: str) -> tuple[float, ...]:
        """Each typed name against one alias: once per distinct alias."""
        if alias not in self._aliased:
            known = self.words(alias)
            self._aliased[alias] = tuple(self.compare(typed, known).score for typed in self.typed)
        return self._aliased[alias]

    def _names(self, first_name: str, last_name: str, aliases: tuple[str, ...]) -> tuple:
        """The name part of a score: reasons, points, a strong full name, the best alias score."""
        best_name, strong_name = self._full_name(first_name, last_name)
        best_alias, best_alias_text = 0.0, ""
        if aliases:
            scored = [self._alias(alias) for alias in aliases]
            for i in range(len(self.typed)):  # typed first, then aliases in order: ties go to the first, as ever
                for alias, alias_scores in zip(aliases, scored, strict=True):
                    if alias_scores[i] > best_alias:
                        best_alias, best_alias_text = alias_scores[i], alias
        reasons: list[str] = []
        name_points = 0.0
        if best_name is not None and best_name.score >= NAME_MATCH:
            reasons.append(_name_reason(best_name))
            name_points = best_name.score
        if best_alias >= NAME_MATCH:
            reasons.append(f"alias ‘{best_alias_text}’" if best_alias >= 95 else f"alias like ‘{best_alias_text}’")
            name_points = max(name_points, best_alias)
        return reasons, name_points, strong_name, best_alias

    def score(self, candidate: Candidate) -> Score | None:
        """Compare what was typed with one stored person; None when nothing agrees."""
        probe = self.probe
        name_reasons, name_points, strong_name, best_alias = self._names(
            candidate.first_name, candidate.last_name, candidate.aliases
        )
        reasons = name_reasons
        points = name_points
        same_dob = False
        if probe.date_of_birth and candidate.date_of_birth:
            if probe.date_of_birth == candidate.date_of_birth:
                same_dob = True
                points += SAME_DOB_POINTS
                reasons.append("same date of birth")
            elif _swapped(probe.date_of_birth, candidate.date_of_birth):
                points += SWAPPED_DOB_POINTS
                reasons.append("date of birth with day and month swapped")
        same_phone = bool(probe.phone) and _phones_match(probe.phone, phone_digits(candidate.phone))
        if same_phone:
            points += SAME_PHONE_POINTS
            reasons.append("same phone number")

        if not reasons:
            return None
        strong = strong_name or same_phone or (same_dob and name_points >= NAME_MATCH)
        return Score(
            candidate=candidate,
            points=points,
            reasons=tuple(reasons),
            strong=strong,
            likely=strong or best_alias >= LIKELY_ALIAS,
        )


def _name_reason(similarity: _Similarity) -> str:
    if similarity.how == "nickname" and similarity.nickname:
        typed, known = similarity.nickname
        return f"nickname: {typed.title()} for {known.title()}"
    return {
        "same": "name matches",
        "start": "name starts the same",
        "spelling": "name spelled similarly",
    }.get(similarity.how, "name spelled similarly")


def _phones_match(typed: str, known: str) -> bool:
    """Same number, or the same local number typed without its area code."""
    if len(typed) < MIN_PHONE_DIGITS or len(known) < MIN_PHONE_DIGITS:
        return False
    return typed == known or known.endswith(typed) or typed.endswith(known)


def _swapped(typed: date, known: date) -> bool:
    """Day and month swapped: 03/09 read as 9 March or as 3 September."""
    return typed != known and (typed.year, typed.month, typed.day) == (known.year, known.day, known.month)


def can_be_strong(probe: Probe) -> bool:
    """Whether any candidate could be a strong match for this probe (see _Matcher.score).

    Strong needs a full name of two words or more typed, a phone, or a birth date; a single typed word
    alone never makes one, so a search for it can leave out the people only a strong match would concern.
    """
    if probe.phone or probe.date_of_birth:
        return True
    return any(len(words(text)) >= 2 for text in (*probe.names, *probe.aliases))


def score(probe: Probe, candidate: Candidate) -> Score | None:
    """Compare what was typed with one stored person; None when nothing agrees."""
    return _Matcher(probe).score(candidate)


def _order(candidate: Candidate) -> tuple:
    return (candidate.last_name.lower(), candidate.first_name.lower(), candidate.id)


def rank(probe: Probe, candidates) -> list[Score]:
    """Every candidate that matches, best first (ties by name, then id, so the order is stable)."""
    if not probe:
        return []
    matcher = _Matcher(probe)
    scored = [s for s in (matcher.score(c) for c in candidates) if s is not None]
    scored.sort(key=lambda s: (-s.points, *_order(s.candidate)))
    return scored


# --- search keys: the SQL prefilter -----------------------------------------------------
#
# Ranking everyone in Python does not scale, so each person is stored with a handful of short
# keys (participant_search_keys) and a search selects only the people who share a key with what
# was typed; rank() then scores those few exactly as before. The keys must never miss a person
# rank() would list (admitting a few too many is fine: rank() drops them). rank() lists someone
# when a name or alias scores NAME_MATCH, or the date of birth or phone agrees. A multi-word score
# is a mean, so some typed word then scores NAME_MATCH against some known word on its own, or the
# run-together strings do ("liltay" / "Lil Tay"). So keys are made per word, and for run-together
# words, and two words that _word_similarity() rates a match share one when they are:
# - the same, or the same formal name (nicknames via canonical): the word itself;
# - one edit apart on each side (a typo, a missing or extra letter, two letters swapped): the
#   word with one letter deleted, each way (a deletion neighbourhood, as SymSpell does it);
# - alike but for vowels and silent letters (Jonathon / Johnathan): a consonant skeleton;
# - a typed start of the known word, three letters or more: the known word's first 3-6 letters;
# - a known word inside a longer typed one ("tianali", "tinawashington"): the typed word's parts
#   and its substrings of two thirds of its length or more, looked up as whole words ("e:" keys).
# Pairs outside these still score 80 at fuzz.ratio's tolerance and are no longer found: two edits
# on one side of one word ("Robiso" for Robinson, "Thomsen" for Thompson), or a ratio of exactly
# 80 between different names ("Mitchell" / "Michael"). They are the price of not reading everyone;
# tests/test_search_keys.py checks the spellings the tests and the demo rely on, and that over
# made-up people ranking the candidates equals ranking everyone for typical input.
# person_keys() and probe_keys() are the only key makers: the migration that backfills the table
# calls person_keys() too, so the stored keys and the typed ones cannot drift apart.

SEARCH_KEY_LENGTH = 64  # longer keys are cut on both sides alike, which only merges keys
_PREFIX_MIN, _PREFIX_MAX = 3, 6
_SOUNDS = (("ph", "f"), ("ck", "k"), ("c", "k"), ("q", "k"), ("z", "s"), ("x", "ks"))
_SILENT = frozenset("aeiouyhw")


def _skeleton(word: str) -> str:
    """First letter and following consonants, sounds folded (ph f, c k, z s) and doubles collapsed."""
    for spelled, sound in _SOUNDS:
        word = word.replace(spelled, sound)
    out = word[:1]
    for ch in word[1:]:
        if ch not in _SILENT and ch != out[-1]:
            out += ch
    return out


def _spelling_keys(word: str) -> set[str]:
    """Keys two spellings of one word share: the word and its one-letter deletions, and its skeleton.

    Nickname and formal name both contribute, so Mike shares keys with Michael and with Mikey.
    """
    if any(ch.isdigit() for ch in word):
        return {"w:" + word}  # numbers in names match only exactly (see _word_similarity)
    keys = set()
    for form in {word, canonical(word)}:
        keys.add("w:" + form)
        keys.add("e:" + form)
        if len(form) >= 3:  # shorter words match only exactly or one letter longer (fuzz.ratio 80)
            keys.update("w:" + form[:i] + form[i + 1 :] for i in range(len(form)))
        skeleton = _skeleton(form)
        if len(skeleton) >= 3:
            keys.add("s:" + skeleton)
    return keys


def _name_keys(text: str, *, typed: bool) -> set[str]:
    """Keys of one name, alias or typed string: each word, the words run together, and word starts."""
    found = words(text)
    keys: set[str] = set()
    for word in found:
        keys |= _spelling_keys(word)
        if len(word) >= _PREFIX_MIN and not any(ch.isdigit() for ch in word):
            if typed:
                keys.add("p:" + word[:_PREFIX_MAX])
                # Names typed run together ("tinawashington"): each split that leaves two parts of three
                # letters or more, looked up as whole words (or the formal names of nicknames).
                for i in range(_PREFIX_MIN, len(word) - _PREFIX_MIN + 1):
                    keys.update(
                        ("e:" + word[:i], "e:" + canonical(word[:i]), "e:" + word[i:], "e:" + canonical(word[i:]))
                    )
                # A known word inside a longer typed one ("tiana" in "tianali") scores 80 when it is two thirds of it.
                for size in range(max(_PREFIX_MIN, -(-2 * len(word) // 3)), len(word)):
                    keys.update("e:" + word[i : i + size] for i in range(len(word) - size + 1))
            else:
                keys.update("p:" + word[:n] for n in range(_PREFIX_MIN, min(len(word), _PREFIX_MAX) + 1))
    if len(found) > 1:
        keys |= _spelling_keys("".join(found))
    return keys


def _cut(keys: set[str]) -> set[str]:
    return {key[:SEARCH_KEY_LENGTH] for key in keys}


def person_keys(
    first_name: str, last_name: str, aliases=(), date_of_birth: date | None = None, phone: str = ""
) -> set[str]:
    """Every search key of one stored person: names, aliases, the full name run together, birth date, phone."""
    keys = _name_keys(first_name, typed=False) | _name_keys(last_name, typed=False)
    keys |= _name_keys(f"{first_name} {last_name}", typed=False)
    for alias in aliases:
        keys |= _name_keys(alias, typed=False)
    if date_of_birth:
        keys.add("d:" + date_of_birth.isoformat())
    digits = phone_digits(phone)
    if len(digits) >= MIN_PHONE_DIGITS:
        # _phones_match: same number, or one ends with the other (7 digits or more): the last 7 agree.
        keys.add("t:" + digits[-MIN_PHONE_DIGITS:])
    return _cut(keys)


def probe_keys(probe: Probe) -> set[str]:
    """The keys a person rank() would list shares with what was typed (empty when nothing was)."""
    keys: set[str] = set()
    for text in (*probe.names, *probe.aliases):
        keys |= _name_keys(text, typed=True)
    if probe.date_of_birth:
        born = probe.date_of_birth
        keys.add("d:" + born.isoformat())
        try:
            keys.add("d:" + date(born.year, born.day, born.month).isoformat())  # day and month swapped
        except ValueError:
            pass
    if len(probe.phone) >= MIN_PHONE_DIGITS:
        keys.add("t:" + probe.phone[-MIN_PHONE_DIGITS:])
    return _cut(keys)
