import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from delegates.names import given_name, name_sort_key, vietnamese_sort_key


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def by_name(names: list[str]) -> list[str]:
    return sorted(names, key=name_sort_key)


def by_text(words: list[str]) -> list[str]:
    return sorted(words, key=vietnamese_sort_key)


def test_name_order_follows_given_name_then_family_name():
    names = [
        "Nguyễn Văn Bình",
        "Trần Thị An",
        "Lê Ánh",
        "Phạm Đức Anh",
        "Đỗ Thị Ân",
        "Vũ Thị Ăn",
        "Đặng Văn An",
        "Dương Văn An",
    ]
    # Given names: An ×3, Anh, Ánh, Ăn, Ân, Bình.
    # - "an" is a prefix of "anh" → every An before Anh/Ánh.
    # - Anh and Ánh have the same letters; ngang < sắc → Anh before Ánh.
    # - "anh" vs "ăn": first letters a < ă → Anh/Ánh before Ăn; ă < â → Ăn before Ân.
    # - b comes last.
    # The three An are ordered by family name: Dương (d) < Đặng (đ) < Trần (t).
    assert by_name(names) == [
        "Dương Văn An",
        "Đặng Văn An",
        "Trần Thị An",
        "Phạm Đức Anh",
        "Lê Ánh",
        "Vũ Thị Ăn",
        "Đỗ Thị Ân",
        "Nguyễn Văn Bình",
    ]
    # Code-point order puts "Lê" (L) first and "Đỗ" (U+0110) last: not what readers expect.
    assert sorted(names) != by_name(names)


def test_name_order_uses_middle_names_after_family_name():
    # Same given name and family name: the middle name decides (Thị: t < Văn: v);
    # the family name outranks the middle names (Lê < Nguyễn although Văn > Thị).
    names = ["Nguyễn Văn Bình", "Nguyễn Thị Bình", "Lê Văn Bình"]
    assert by_name(names) == ["Lê Văn Bình", "Nguyễn Thị Bình", "Nguyễn Văn Bình"]


def test_given_name_is_the_last_word():
    assert given_name("Trần Thị Ánh Tuyết") == "Tuyết"
    assert given_name("  Lê   Ánh ") == "Ánh"
    assert given_name("Hà") == "Hà"
    assert given_name("") == ""
    assert given_name(nfd("Nguyễn Văn Bình")) == "Bình"


def test_d_with_stroke_comes_after_d_and_before_e():
    # d < đ < e, whereas code points give D, E, Đ.
    words = ["Em", "Đức", "Dũng"]
    assert by_text(words) == ["Dũng", "Đức", "Em"]
    assert sorted(words) == ["Dũng", "Em", "Đức"]


def test_breve_and_circumflex_a_come_after_a():
    # a < ă < â < b; code points give a, b, â (U+00E2), ă (U+0103).
    words = ["ân", "bàn", "ăn", "an"]
    assert by_text(words) == ["an", "ăn", "ân", "bàn"]
    assert sorted(words) == ["an", "bàn", "ân", "ăn"]


def test_o_circumflex_and_o_horn_come_after_o():
    # o < ô < ơ (tơ "silk", tô "bowl", to "big"); h-o < h-ô < h-ơ whatever the tones.
    assert by_text(["tơ", "to", "tô"]) == ["to", "tô", "tơ"]
    assert by_text(["Hợp", "Hồng", "Hòa"]) == ["Hòa", "Hồng", "Hợp"]
    assert by_text(["ư", "u", "v"]) == ["u", "ư", "v"]


def test_tones_order_ngang_huyen_hoi_nga_sac_nang():
    # ma "ghost", mà "but", mả "grave", mã "horse", má "cheek", mạ "rice seedling".
    expected = ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert by_text(list(reversed(expected))) == expected
    # Code points: ma, mà, má, mã (Latin-1) then mạ (U+1EA1), mả (U+1EA3).
    assert sorted(expected) == ["ma", "mà", "má", "mã", "mạ", "mả"]
    assert by_text(["ánh", "ảnh", "anh"]) == ["anh", "ảnh", "ánh"]


def test_letters_are_compared_before_tones():
    # "má" is a prefix of "mai" in letters, so its sắc tone does not matter.
    assert by_text(["mai", "má"]) == ["má", "mai"]
    # g < h decides before any tone: "áng" before "anh" (code points say otherwise).
    assert by_text(["anh", "áng"]) == ["áng", "anh"]
    assert sorted(["anh", "áng"]) == ["anh", "áng"]
    # "ác" before "ách": the shorter letter sequence is a prefix.
    assert by_text(["ách", "ác"]) == ["ác", "ách"]


def test_syllables_are_compared_one_after_the_other():
    # The first syllables differ only in tone (an < àn), which decides before
    # the second syllable is looked at.
    assert by_text(["àn an", "an bình"]) == ["an bình", "àn an"]


def test_digraphs_are_compared_letter_by_letter():
    # If "ch" were a letter after "c", Cường would come first; letter by letter, h < ư.
    assert by_text(["Cường", "Chi"]) == ["Chi", "Cường"]
    assert by_text(["nhà", "nghĩa", "ngà"]) == ["ngà", "nghĩa", "nhà"]
    assert by_text(["trung", "thu"]) == ["thu", "trung"]


def test_case_only_breaks_ties_lower_first():
    assert by_text(["ĂN", "An", "an", "AN"]) == ["an", "An", "AN", "ĂN"]
    # Upper case does not jump ahead of an earlier letter.
    assert by_text(["Bình", "an"]) == ["an", "Bình"]
    assert sorted(["Bình", "an"]) == ["Bình", "an"]


def test_name_order_ignores_case_of_the_given_name():
    # A lower-case given name must not push the row past the family-name order.
    assert by_name(["Trần Văn an", "Lê Văn An"]) == ["Lê Văn An", "Trần Văn an"]


def test_decomposed_input_sorts_like_composed():
    names = ["Nguyễn Văn Bình", "Trần Thị Ánh Tuyết", "Đặng Hữu Phước", "Lê Thị Thu Hương"]
    for name in names:
        assert vietnamese_sort_key(nfd(name)) == vietnamese_sort_key(name)
        assert name_sort_key(nfd(name)) == name_sort_key(name)
    mixed = [nfd(names[0]), names[1], nfd(names[2]), names[3]]
    order = [unicodedata.normalize("NFC", n) for n in by_name(mixed)]
    assert order == by_name(names)


def test_foreign_accents_fall_on_their_base_letter():
    # ü sorts as u (before ư), é as e with a sắc tone.
    assert by_text(["Müller", "Mưa", "Mula"]) == ["Mula", "Müller", "Mưa"]
    assert by_text(["Josf", "José", "Jose"]) == ["Jose", "José", "Josf"]


def test_digits_and_punctuation_come_before_letters():
    assert by_text(["Tổ b", "Tổ 2", "Tổ 10", "Tổ -"]) == ["Tổ -", "Tổ 10", "Tổ 2", "Tổ b"]


# Property tests ----------------------------------------------------------------

VOWELS = [
    unicodedata.normalize("NFC", v + t)
    for v in "aăâeêioôơuưy"
    for t in ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
]
INITIALS = [
    "",
    "b",
    "c",
    "ch",
    "d",
    "đ",
    "g",
    "gh",
    "gi",
    "h",
    "k",
    "kh",
    "l",
    "m",
    "n",
    "ng",
    "ngh",
    "nh",
    "ph",
    "qu",
    "r",
    "s",
    "t",
    "th",
    "tr",
    "v",
    "x",
]
FINALS = ["", "c", "ch", "m", "n", "ng", "nh", "p", "t"]

# One-vowel syllables: equal lower-case strings are exactly equal letters and tone.
syllables = st.builds(
    lambda i, v, f: i + v + f,
    st.sampled_from(INITIALS),
    st.sampled_from(VOWELS),
    st.sampled_from(FINALS),
)
vietnamese_texts = st.lists(syllables, max_size=4).map(" ".join)
any_texts = st.one_of(vietnamese_texts, st.text(max_size=12))
case_changes = st.sampled_from([str.lower, str.upper, str.title, str.capitalize])
forms = st.sampled_from(["NFC", "NFD"])


def cmp(a, b) -> int:
    return (a > b) - (a < b)


@given(any_texts)
def test_key_is_the_same_for_nfc_and_nfd(text):
    assert vietnamese_sort_key(nfd(text)) == vietnamese_sort_key(text)
    assert vietnamese_sort_key(unicodedata.normalize("NFC", text)) == vietnamese_sort_key(text)
    assert name_sort_key(nfd(text)) == name_sort_key(text)


@given(any_texts, any_texts)
def test_keys_are_equal_exactly_when_nfc_forms_are(a, b):
    same = unicodedata.normalize("NFC", a) == unicodedata.normalize("NFC", b)
    assert (vietnamese_sort_key(a) == vietnamese_sort_key(b)) == same
    assert (name_sort_key(a) == name_sort_key(b)) == same


@settings(max_examples=300)
@given(any_texts, any_texts, any_texts)
def test_key_is_a_total_order(a, b, c):
    ka, kb, kc = (vietnamese_sort_key(x) for x in (a, b, c))
    assert cmp(ka, kb) == -cmp(kb, ka)
    if ka <= kb and kb <= kc:
        assert ka <= kc
    na, nb, nc = (name_sort_key(x) for x in (a, b, c))
    if na <= nb and nb <= nc:
        assert na <= nc


@given(st.lists(st.tuples(any_texts, forms), max_size=8))
def test_sorting_does_not_depend_on_the_normalisation_form_of_the_input(items):
    def in_nfc(texts):
        return [unicodedata.normalize("NFC", x) for x in texts]

    texts = [text for text, _ in items]
    converted = [unicodedata.normalize(form, text) for text, form in items]
    assert in_nfc(sorted(converted, key=vietnamese_sort_key)) == in_nfc(
        sorted(texts, key=vietnamese_sort_key)
    )


@given(vietnamese_texts, vietnamese_texts, case_changes, case_changes)
def test_case_never_outranks_letters_or_tones(a, b, change_a, change_b):
    if a == b:
        return
    assert cmp(vietnamese_sort_key(change_a(a)), vietnamese_sort_key(change_b(b))) == cmp(
        vietnamese_sort_key(a), vietnamese_sort_key(b)
    )
