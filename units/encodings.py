"""Legacy Vietnamese 8-bit encodings (TCVN3, VNI) in old staff lists.

Lists typed in the 1990s-2000s with ".VnTime" fonts (TCVN3, also called ABC:
TCVN 5712:1993, table VN3) or "VNI-Times" fonts (VNI-Windows) hold bytes that
only those fonts draw as Vietnamese. Read as Unicode they arrive as Windows-1252
(or Latin-1) mojibake: "NguyÔn V¨n B×nh" (TCVN3) or "Nguyeãn Vaên Bình" (VNI)
for "Nguyễn Văn Bình". Here every such string is seen as the sequence of its
legacy bytes: each character stands for the one byte that cp1252 (or, for
U+0080-U+009F, Latin-1) maps to it.

Detection (`detect_legacy`) is a heuristic; a text is called TCVN3 or VNI when
all of these hold:

1. every character is one byte in cp1252/Latin-1, and some are not ASCII
   (ordinary Unicode Vietnamese has ă đ ơ ư ạ ễ …, which are not);
2. read as it is, some non-ASCII word is not a possible Vietnamese syllable
   (so "Lê Chí Tô", valid as Unicode, is left alone);
3. converted, the text converts without a stray byte, leaves no symbol
   between two letters, every word with a diacritic is a possible
   Vietnamese syllable, and at least 3/4 of the words are (acronyms such
   as "BHXH" aside);
4. the evidence is more than one accident: two converted words, or one word
   with a characteristic sign (for TCVN3 a symbol among letters such as
   "V¨n", "B×nh", "§øc", or a capital inside a lower-case word as in
   "NguyÔn"; for VNI a vowel followed by a tone or mark byte, as in "eã",
   "aø", other than a French diaeresis such as "Loïc");
5. the other encoding does not also fit (then the text is more probably a
   foreign name than either).

A "possible syllable" is: an initial consonant (b c ch d đ g gh gi h k kh l
m n ng ngh nh p ph qu r s t th tr v x), a vowel nucleus from the list of
Vietnamese rhymes, a final (c ch k m n ng nh p t), at most one tone, and the
spelling rules that mojibake breaks most often: a final c/ch/k/p/t takes only
the sắc or nặng tone; k, gh, ngh only before i e ê (y); c, g, ng not before
e ê; ch and nh only after a, ê, i, y.

TCVN3 has no capital toned vowels (an all-capitals ".VnTimeH" font drew the
lower-case codes as capitals), so their case is restored from the context: a
toned vowel is a capital when the other letters of its word are capitals, or,
at the start of a word, when the text's other words start with a capital.
"""

import itertools
import re
import unicodedata
from typing import Literal

from .text import TONES, nfc

LegacyEncoding = Literal["tcvn3", "vni"]
ENCODINGS: tuple[LegacyEncoding, ...] = ("tcvn3", "vni")


class LegacyEncodingError(ValueError):
    """Text looks like a legacy encoding but cannot be converted unambiguously."""

    def __init__(self, message: str, encoding: LegacyEncoding | None = None) -> None:
        super().__init__(message)
        self.encoding = encoding


# The five tone marks in TCVN3's column order, which is also the dictionary order.
_HUYEN, _HOI, _NGA, _SAC, _NANG = TONES[1:]
_TONED = (_HUYEN, _HOI, _NGA, _SAC, _NANG)
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"


def _compose(*parts: str) -> str:
    return unicodedata.normalize("NFC", "".join(parts))


# --- TCVN3 (TCVN 5712:1993, VN3) -------------------------------------------------

# Codes of the toned vowels, lower case only, in the order huyền, hỏi, ngã, sắc, nặng.
TCVN3_TONED: dict[str, tuple[int, int, int, int, int]] = {
    "a": (0xB5, 0xB6, 0xB7, 0xB8, 0xB9),  # µ ¶ · ¸ ¹
    "ă": (0xBB, 0xBC, 0xBD, 0xBE, 0xC6),  # » ¼ ½ ¾ Æ
    "â": (0xC7, 0xC8, 0xC9, 0xCA, 0xCB),  # Ç È É Ê Ë
    "e": (0xCC, 0xCE, 0xCF, 0xD0, 0xD1),  # Ì Î Ï Ð Ñ
    "ê": (0xD2, 0xD3, 0xD4, 0xD5, 0xD6),  # Ò Ó Ô Õ Ö
    "i": (0xD7, 0xD8, 0xDC, 0xDD, 0xDE),  # × Ø Ü Ý Þ
    "o": (0xDF, 0xE1, 0xE2, 0xE3, 0xE4),  # ß á â ã ä
    "ô": (0xE5, 0xE6, 0xE7, 0xE8, 0xE9),  # å æ ç è é
    "ơ": (0xEA, 0xEB, 0xEC, 0xED, 0xEE),  # ê ë ì í î
    "u": (0xEF, 0xF1, 0xF2, 0xF3, 0xF4),  # ï ñ ò ó ô
    "ư": (0xF5, 0xF6, 0xF7, 0xF8, 0xF9),  # õ ö ÷ ø ù
    "y": (0xFA, 0xFB, 0xFC, 0xFD, 0xFE),  # ú û ü ý þ
}

# The modified letters without tone; these have a capital code too.
TCVN3_LETTERS: dict[str, int] = {
    "Ă": 0xA1, "Â": 0xA2, "Ê": 0xA3, "Ô": 0xA4, "Ơ": 0xA5, "Ư": 0xA6, "Đ": 0xA7,  # ¡ ¢ £ ¤ ¥ ¦ §
    "ă": 0xA8, "â": 0xA9, "ê": 0xAA, "ô": 0xAB, "ơ": 0xAC, "ư": 0xAD, "đ": 0xAE,  # ¨ © ª « ¬ SHY ®
}  # fmt: skip

_TCVN3_DECODE: dict[int, str] = {code: letter for letter, code in TCVN3_LETTERS.items()}
_TCVN3_CASELESS: set[int] = set()  # codes of toned vowels, drawn in either case
for _vowel, _codes in TCVN3_TONED.items():
    for _tone, _code in zip(_TONED, _codes, strict=True):
        _TCVN3_DECODE[_code] = _compose(_vowel, _tone)
        _TCVN3_CASELESS.add(_code)
_TCVN3_ENCODE: dict[str, int] = {letter: code for code, letter in _TCVN3_DECODE.items()}

# --- VNI (VNI-Windows) -------------------------------------------------------------

# VNI writes a base letter (ASCII a e o u y, or the one-byte ơ ư) followed by a
# mark byte; each entry is (lower-case byte, capital byte).
VNI_TONE_BYTES: dict[str, tuple[int, int]] = {
    _HUYEN: (0xF8, 0xD8),  # ø Ø
    _HOI: (0xFB, 0xDB),  # û Û
    _NGA: (0xF5, 0xD5),  # õ Õ
    _SAC: (0xF9, 0xD9),  # ù Ù
    _NANG: (0xEF, 0xCF),  # ï Ï
}
# After a, e, o: the circumflex (â ê ô) alone or with a tone, in one byte.
VNI_CIRCUMFLEX_BYTES: dict[str, tuple[int, int]] = {
    "": (0xE2, 0xC2),  # â Â
    _HUYEN: (0xE0, 0xC0),  # à À
    _HOI: (0xE5, 0xC5),  # å Å
    _NGA: (0xE3, 0xC3),  # ã Ã
    _SAC: (0xE1, 0xC1),  # á Á
    _NANG: (0xE4, 0xC4),  # ä Ä
}
# After a: the breve (ă) alone or with a tone, in one byte.
VNI_BREVE_BYTES: dict[str, tuple[int, int]] = {
    "": (0xEA, 0xCA),  # ê Ê
    _HUYEN: (0xE8, 0xC8),  # è È
    _HOI: (0xFA, 0xDA),  # ú Ú
    _NGA: (0xFC, 0xDC),  # ü Ü
    _SAC: (0xE9, 0xC9),  # é É
    _NANG: (0xEB, 0xCB),  # ë Ë
}
# Letters VNI stores in a single byte (ơ and ư still take a tone byte after them).
VNI_SINGLE_BYTES: dict[str, tuple[int, int]] = {
    "ơ": (0xF4, 0xD4),  # ô Ô
    "ư": (0xF6, 0xD6),  # ö Ö
    "đ": (0xF1, 0xD1),  # ñ Ñ
    "ì": (0xEC, 0xCC),  # ì Ì
    "ỉ": (0xE6, 0xC6),  # æ Æ
    "ĩ": (0xF3, 0xD3),  # ó Ó
    "í": (0xED, 0xCD),  # í Í
    "ị": (0xF2, 0xD2),  # ò Ò
    "ỵ": (0xEE, 0xCE),  # î Î
}


def _by_byte(table: dict[str, tuple[int, int]]) -> dict[int, tuple[str, bool]]:
    """byte -> (key, is_capital)."""
    return {
        code: (key, upper)
        for key, (lower_code, upper_code) in table.items()
        for code, upper in ((lower_code, False), (upper_code, True))
    }


_VNI_TONE = _by_byte(VNI_TONE_BYTES)
_VNI_CIRCUMFLEX = _by_byte(VNI_CIRCUMFLEX_BYTES)
_VNI_BREVE = _by_byte(VNI_BREVE_BYTES)
_VNI_SINGLE = _by_byte(VNI_SINGLE_BYTES)
_VNI_MARK_BYTES = set(_VNI_TONE) | set(_VNI_CIRCUMFLEX) | set(_VNI_BREVE)
_VNI_BASES = frozenset("aeouy")
# ë ï ü after a vowel are also the French diaeresis ("Loïc", "Raphaël").
_VNI_WEAK_MARKS = frozenset({0xEB, 0xCB, 0xEF, 0xCF, 0xFC, 0xDC})

# --- bytes as characters -------------------------------------------------------------


def _byte(char: str) -> int | None:
    """The legacy byte a character stands for, or None if it is no single byte."""
    if ord(char) < 0x100:
        return ord(char)
    try:
        encoded = char.encode("cp1252")
    except UnicodeEncodeError:
        return None
    return encoded[0]


def _char(code: int) -> str:
    return bytes([code]).decode("cp1252") if 0x80 <= code < 0xA0 else chr(code)


def _is_unassigned_letter(code: int) -> bool:
    # A letter the legacy font would have drawn as something we cannot know.
    return code >= 0xA0 and unicodedata.category(chr(code)).startswith("L")


# --- conversion --------------------------------------------------------------------


def _decode_tcvn3(text: str) -> str:
    chars: list[str] = []
    caseless: list[bool] = []
    for position, char in enumerate(text):
        code = _byte(char)
        if code is not None and code in _TCVN3_DECODE:
            chars.append(_TCVN3_DECODE[code])
            caseless.append(code in _TCVN3_CASELESS)
            continue
        if code is not None and _is_unassigned_letter(code):
            raise LegacyEncodingError(
                f"“{char}” (position {position + 1}) is no TCVN3 letter.", "tcvn3"
            )
        chars.append(char)
        caseless.append(False)
    return "".join(_restore_tcvn3_case(chars, caseless))


def _all_upper(letters: list[str]) -> bool | None:
    return all(letter.isupper() for letter in letters) if letters else None


def _restore_tcvn3_case(chars: list[str], caseless: list[bool]) -> list[str]:
    """Give each toned vowel the case its context shows (see the module docstring)."""
    words: list[tuple[int, int]] = []
    start = None
    for index, char in enumerate([*chars, " "]):
        if char.isalpha() and start is None:
            start = index
        elif not char.isalpha() and start is not None:
            words.append((start, index))
            start = None

    def cased(index: int) -> bool:
        return not caseless[index] and chars[index].lower() != chars[index].upper()

    inner = [chars[i] for s, e in words for i in range(s + 1, e) if cased(i)]
    restored = list(chars)
    for start, end in words:
        own_inner = [chars[i] for i in range(start + 1, end) if cased(i)]
        other_initials = [chars[s] for s, _ in words if s != start and cased(s)]
        for index in range(start, end):
            if not caseless[index]:
                continue
            upper = _all_upper(own_inner)
            if index == start and not upper:
                # A lower-case rest of the word fits both "Ánh" and "ánh": follow
                # the other words' initials; a lone word is taken as a name.
                upper = _all_upper(other_initials)
                upper = True if upper is None else upper
            elif upper is None:
                upper = bool(_all_upper(inner))
            if upper:
                restored[index] = chars[index].upper()
    return restored


def _decode_vni(text: str) -> str:
    out: list[str] = []
    position = 0
    while position < len(text):
        char = text[position]
        code = _byte(char)
        following = _byte(text[position + 1]) if position + 1 < len(text) else None
        base, upper = None, char.isupper()
        if char.isascii() and char.lower() in _VNI_BASES:
            base = char.lower()
        elif code is not None and code in _VNI_SINGLE and _VNI_SINGLE[code][0] in ("ơ", "ư"):
            base, upper = _VNI_SINGLE[code]
        if base is not None:
            letter_mark, tone, used = "", "", 1
            if following in _VNI_CIRCUMFLEX and base in "aeo":
                letter_mark, tone, used = _CIRCUMFLEX, _VNI_CIRCUMFLEX[following][0], 2
            elif following in _VNI_BREVE and base == "a":
                letter_mark, tone, used = _BREVE, _VNI_BREVE[following][0], 2
            elif following in _VNI_TONE:
                tone, used = _VNI_TONE[following][0], 2
            letter = _compose(base, letter_mark, tone)
            out.append(letter.upper() if upper else letter)
            position += used
            continue
        if code is not None and code in _VNI_SINGLE:
            letter, upper = _VNI_SINGLE[code]
            out.append(letter.upper() if upper else letter)
        elif code in _VNI_MARK_BYTES:
            raise LegacyEncodingError(
                f"“{char}” (position {position + 1}) is a VNI mark with no vowel before it.",
                "vni",
            )
        elif code is not None and _is_unassigned_letter(code):
            raise LegacyEncodingError(
                f"“{char}” (position {position + 1}) is no VNI letter.", "vni"
            )
        else:
            out.append(char)
        position += 1
    return "".join(out)


def convert_legacy(text: str, encoding: LegacyEncoding) -> str:
    """Unicode (NFC) text from TCVN3 or VNI mojibake.

    Raises LegacyEncodingError for a byte the encoding does not define as a
    letter, or (VNI) a mark byte with no vowel before it. Characters that
    are no single legacy byte, ASCII and punctuation are kept as they are.
    """
    text = nfc(text)
    decoded = _decode_tcvn3(text) if encoding == "tcvn3" else _decode_vni(text)
    return nfc(decoded)


def encode_legacy(text: str, encoding: LegacyEncoding) -> str:
    """The inverse of `convert_legacy`: Unicode to mojibake, for tests and checks.

    TCVN3 writes capital toned vowels with their lower-case code, as the
    capital fonts did. Raises LegacyEncodingError for a character the
    encoding cannot write.
    """
    out: list[str] = []
    for char in nfc(text):
        if char.isascii():
            out.append(char)
            continue
        code = _byte(char)
        if code is not None and code < 0xA1 and not char.isalpha():
            out.append(char)  # cp1252 punctuation and the no-break space mean the same
            continue
        out.append(_encode_tcvn3(char) if encoding == "tcvn3" else _encode_vni(char))
    return "".join(out)


def _unencodable(char: str, encoding: LegacyEncoding) -> LegacyEncodingError:
    return LegacyEncodingError(f"“{char}” cannot be written in {encoding.upper()}.", encoding)


def _encode_tcvn3(char: str) -> str:
    if char in _TCVN3_ENCODE:
        return _char(_TCVN3_ENCODE[char])
    code = _TCVN3_ENCODE.get(char.lower())
    if code in _TCVN3_CASELESS:  # a capital toned vowel: its lower-case code
        return _char(code)
    raise _unencodable(char, "tcvn3")


def _encode_vni(char: str) -> str:
    upper = char != char.lower()
    side = 1 if upper else 0
    lower = char.lower()
    if lower in VNI_SINGLE_BYTES:
        return _char(VNI_SINGLE_BYTES[lower][side])
    decomposed = unicodedata.normalize("NFD", lower)
    base, marks = decomposed[0], decomposed[1:]
    tone = "".join(m for m in marks if m in _TONED)
    letter_marks = "".join(m for m in marks if m not in _TONED)
    letter = _compose(base, letter_marks)
    if len(tone) > 1 or not base.isascii():
        raise _unencodable(char, "vni")
    head = base.upper() if upper else base
    if letter in "ơư":
        head, mark = _char(VNI_SINGLE_BYTES[letter][side]), ""
    elif letter_marks == _CIRCUMFLEX and base in "aeo":
        return head + _char(VNI_CIRCUMFLEX_BYTES[tone][side])
    elif letter_marks == _BREVE and base == "a":
        return head + _char(VNI_BREVE_BYTES[tone][side])
    elif letter_marks or base not in _VNI_BASES:
        raise _unencodable(char, "vni")
    mark = _char(VNI_TONE_BYTES[tone][side]) if tone else ""
    return head + mark


# --- plausibility ------------------------------------------------------------------

# Vowel nuclei of Vietnamese rhymes (with their glides), initials and finals.
_NUCLEI = frozenset(
    {
        *("a", "ă", "â", "e", "ê", "i", "o", "ô", "ơ", "u", "ư", "y"),
        *("ai", "ao", "au", "ay", "âu", "ây", "eo", "êu", "ia", "iê", "iu", "oa", "oă", "oe"),
        *("oi", "ôi", "ơi", "oo", "ua", "uâ", "uê", "ui", "uô", "uơ", "uy", "ưa", "ưi", "ươ"),
        *("ưu", "yê", "iêu", "yêu", "oai", "oao", "oay", "oeo", "uây", "uôi", "uya", "uyê"),
        *("uyu", "ươi", "ươu"),
    }
)
_NEEDS_FINAL = frozenset({"iê", "yê", "uô", "ươ", "uyê"})
_INITIALS: tuple[str, ...] = (
    *("b", "c", "ch", "d", "đ", "g", "gh", "gi", "h", "k", "kh", "l", "m", "n", "ng"),
    *("ngh", "nh", "p", "ph", "qu", "r", "s", "t", "th", "tr", "v", "x"),
)
_FINALS = ("c", "ch", "k", "m", "n", "ng", "nh", "p", "t")
_STOP_FINALS = frozenset({"c", "ch", "k", "p", "t"})


def _is_syllable(word: str) -> bool:
    """Whether a word could be one Vietnamese syllable (see the module docstring)."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [mark for mark in decomposed if mark in _TONED]
    letters = _compose(*(c for c in decomposed if c not in _TONED))
    if len(tones) > 1:
        return False
    for match in _candidate_splits(letters):
        initial, nucleus, final = match
        if nucleus in _NEEDS_FINAL and not final:
            continue
        if final in _STOP_FINALS and not word.isascii() and tones not in ([_SAC], [_NANG]):
            continue
        if final in ("ch", "nh") and nucleus[-1] not in "aêiy":
            continue
        if initial in ("k", "gh", "ngh") and nucleus[0] not in "ieêy":
            continue
        if initial in ("c", "g", "ng") and nucleus[0] in "eê":
            continue
        return True
    return False


def _candidate_splits(letters: str) -> list[tuple[str, str, str]]:
    """Every (initial, nucleus, final) that spells the letters ("gia": gi+a, g+ia)."""
    splits = []
    for initial in ["", *_INITIALS]:
        if not letters.startswith(initial):
            continue
        rest = letters[len(initial) :]
        for final in ["", *_FINALS]:
            nucleus = rest[: len(rest) - len(final)] if final else rest
            if rest.endswith(final) and nucleus in _NUCLEI:
                splits.append((initial, nucleus, final))
    return splits


# Legacy text is split into words on anything that is no letter-like byte.
_LEGACY_WORD = re.compile("[A-Za-z\u00a1-\u00ff]+")
_WORD = re.compile(r"[^\W\d_]+")
# A byte left as a symbol between two letters ("H÷u" read as VNI) is no real text.
_SYMBOL_IN_WORD = re.compile(r"(?<=[^\W\d_])[^\w\s\x00-\x7f](?=[^\W\d_])")
# TCVN3 codes that cp1252 shows as symbols (and ª µ), never inside a Latin word.
_TCVN3_SYMBOLS = frozenset(
    _char(code) for code in [*range(0xA1, 0xBF), 0xD7, 0xF7] if code in _TCVN3_DECODE
)


def _tcvn3_strong(word: str) -> bool:
    if len(word) >= 2:
        for index, char in enumerate(word):
            if char in _TCVN3_SYMBOLS and not (index == len(word) - 1 and char in "©®"):
                return True
    return any(
        a.islower() and b.isupper() and not (a.isascii() and b.isascii())
        for a, b in itertools.pairwise(word)
    )


def _vni_strong(word: str) -> bool:
    for base, mark in itertools.pairwise(word):
        code = _byte(mark)
        if code is None or code in _VNI_WEAK_MARKS:
            continue
        lower = base.lower()
        if base in "ôöÔÖ" or (base.isascii() and lower in _VNI_BASES):
            vowel = {"ô": "ơ", "ö": "ư"}.get(lower, lower)
            if code in _VNI_TONE or (
                (code in _VNI_CIRCUMFLEX and vowel in "aeo")
                or (code in _VNI_BREVE and vowel == "a")
            ):
                return True
    return False


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isascii() and word.isupper()


def _strong_words(text: str, encoding: LegacyEncoding) -> int:
    strong = _tcvn3_strong if encoding == "tcvn3" else _vni_strong
    return sum(1 for word in _LEGACY_WORD.findall(text) if strong(word))


def _is_candidate(text: str) -> bool:
    return not text.isascii() and all(_byte(char) is not None for char in text)


def _reads_as_unicode_vietnamese(text: str) -> bool:
    return all(_is_syllable(w) for w in _LEGACY_WORD.findall(text) if not w.isascii())


def _fits(text: str, encoding: LegacyEncoding) -> bool:
    try:
        converted = convert_legacy(text, encoding)
    except LegacyEncodingError:
        return False
    if _SYMBOL_IN_WORD.search(converted):
        return False
    words = [w for w in _WORD.findall(converted) if not _is_acronym(w)]
    marked = [w for w in words if not w.isascii()]
    if not marked or not all(_is_syllable(w) for w in marked):
        return False
    if sum(1 for w in words if _is_syllable(w)) * 4 < len(words) * 3:
        return False
    changed = [w for w in _LEGACY_WORD.findall(text) if not w.isascii()]
    return len(changed) >= 2 or _strong_words(text, encoding) >= 1


def detect_legacy(text: str) -> LegacyEncoding | None:
    """ "tcvn3" or "vni" if the text is most probably that mojibake, else None.

    The rule is the heuristic in the module docstring: legacy bytes only, not
    valid as Unicode Vietnamese, valid Vietnamese once converted, more than
    one accidental sign, and only one encoding fitting.
    """
    text = nfc(text)
    if not _is_candidate(text) or _reads_as_unicode_vietnamese(text):
        return None
    fitting = [encoding for encoding in ENCODINGS if _fits(text, encoding)]
    return fitting[0] if len(fitting) == 1 else None


def normalise_text(text: str) -> tuple[str, LegacyEncoding | None]:
    """(NFC text, legacy encoding it was converted from, or None).

    Raises LegacyEncodingError when the text is not taken as legacy but at
    least two of its words carry an encoding's characteristic signs: mixed
    legacy and Unicode, a byte the encoding does not define, or a text both
    encodings could explain. The caller refuses such text with the message.
    """
    text = nfc(text)
    encoding = detect_legacy(text)
    if encoding is not None:
        return convert_legacy(text, encoding), encoding
    for suspect in ENCODINGS:
        if _strong_words(text, suspect) >= 2:
            raise LegacyEncodingError(
                f"“{text}” looks like text typed in the old {suspect.upper()} encoding, "
                "but it cannot be converted safely: please retype it in Unicode.",
                suspect,
            )
    return text, None
