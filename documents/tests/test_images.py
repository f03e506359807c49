"""A resident's photo of a pothole: where it was taken is read from it, and the copy Munis keeps says nothing
more than its picture, the right way up."""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from core.errors import ValidationFailed
from documents.images import photo_location, photo_without_metadata

RED, BLUE = (220, 0, 0), (0, 0, 220)
XMP = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreatorTool="Phone 12"/></rdf:RDF></x:xmpmeta>')


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are read in English unless a test says otherwise, whatever ran before in this thread."""
    with translation.override("en"):
        yield


def exif_of(*, latitude=None, longitude=None, orientation=None):
    """EXIF as a phone writes it: degrees, minutes and seconds with N/S and E/W, and the orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    if latitude is not None:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        for tag_ref, tag, value, signs in ((ExifTags.GPS.GPSLatitudeRef, ExifTags.GPS.GPSLatitude, latitude, "NS"),
                                           (ExifTags.GPS.GPSLongitudeRef, ExifTags.GPS.GPSLongitude, longitude, "EW")):
            whole = abs(value)
            degrees, minutes = int(whole), int(whole * 60) % 60
            seconds = round((whole * 3600) % 60, 2)
            gps[tag_ref] = signs[0] if value >= 0 else signs[1]
            gps[tag] = (float(degrees), float(minutes), seconds)
    return exif


def two_colour_picture(size=(80, 40)):
    """Red on the left half, blue on the right."""
    picture = Image.new("RGB", size, BLUE)
    picture.paste(RED, (0, 0, size[0] // 2, size[1]))
    return picture


def photo(picture=None, *, fmt="JPEG", name="pothole.jpg", **saved):
    out = io.BytesIO()
    (picture or two_colour_picture()).save(out, fmt, **saved)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/octet-stream")


def phone_photo(**exif):
    return photo(exif=exif_of(**exif), comment=b"Shot on Phone 12 by Aziza", xmp=XMP,
                 icc_profile=ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def png_bomb(width, height):
    """A black-and-white PNG of width x height pixels: a few hundred kilobytes that unpack to ``width * height``
    pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    row = b"\0" * (1 + (width + 7) // 8)
    packer = zlib.compressobj(9)
    data = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def refusal(file):
    with pytest.raises(ValidationFailed) as refused:
        photo_without_metadata(file, field="photo")
    return refused.value


# --- where it was taken ------------------------------------------------------------------------------------------

def test_a_phones_photo_says_where_it_was_taken():
    assert photo_location(phone_photo(latitude=38.5598, longitude=68.7870)) == pytest.approx((38.5598, 68.787),
                                                                                           abs=1e-5)


def test_south_and_west_are_negative():
    assert photo_location(phone_photo(latitude=-34.6037, longitude=-58.3816)) == pytest.approx(
        (-34.6037, -58.3816), abs=1e-5)


def test_a_photo_without_gps_or_from_a_camera_without_a_fix_says_nothing():
    assert photo_location(phone_photo()) is None
    assert photo_location(phone_photo(latitude=0, longitude=0)) is None  # what a camera without a fix writes
    assert photo_location(photo(fmt="PNG", name="plan.png")) is None


def test_what_is_no_photo_has_no_location_and_is_read_from_its_start_again():
    text = SimpleUploadedFile("notes.jpg", b"just some words, not a picture", content_type="image/jpeg")
    assert photo_location(text) is None
    assert text.tell() == 0
    located = phone_photo(latitude=38.5, longitude=68.7)
    photo_location(located)
    assert located.tell() == 0


# --- the copy that is kept ---------------------------------------------------------------------------------------

def test_the_kept_copy_carries_no_exif_gps_xmp_colour_profile_or_comment():
    original = phone_photo(latitude=38.5598, longitude=68.7870)
    sent = original.read()
    kept = photo_without_metadata(original)

    for trace in (b"Exif", b"PhoneMaker", b"Phone 12", b"ns.adobe.com/xap", b"ICC_PROFILE", b"Aziza"):
        assert trace in sent and trace not in kept, trace
    copy = Image.open(io.BytesIO(kept))
    assert copy.format == "JPEG" and copy.size == (80, 40)
    assert not copy.getexif() and "icc_profile" not in copy.info and "comment" not in copy.info
    assert photo_location(io.BytesIO(kept)) is None


def test_a_photo_stored_sideways_is_kept_upright():
    # Orientation 6: the phone stored the picture turned a quarter to the left; shown, its left side is the top.
    kept = Image.open(io.BytesIO(photo_without_metadata(phone_photo(orientation=6))))
    assert kept.size == (40, 80)
    top, bottom = kept.convert("RGB").getpixel((20, 10)), kept.convert("RGB").getpixel((20, 70))
    assert top[0] > 180 and top[2] < 60, top  # red
    assert bottom[2] > 180 and bottom[0] < 60, bottom  # blue
    assert not kept.getexif()


def test_a_png_stays_a_png_with_its_transparency_and_without_its_text():
    picture = Image.new("RGBA", (30, 30), (0, 0, 0, 0))
    picture.paste((0, 128, 0, 255), (10, 10, 20, 20))
    text = PngInfo()
    text.add_text("Author", "Aziza Citizen")
    kept_bytes = photo_without_metadata(photo(picture, fmt="PNG", name="sign.png", pnginfo=text,
                                              exif=exif_of(latitude=38.5, longitude=68.7)))
    kept = Image.open(io.BytesIO(kept_bytes))
    assert kept.format == "PNG" and kept.mode == "RGBA"
    assert kept.getpixel((0, 0))[3] == 0 and kept.getpixel((15, 15)) == (0, 128, 0, 255)
    assert b"Aziza" not in kept_bytes and b"eXIf" not in kept_bytes and not kept.getexif()


def test_a_webp_stays_a_webp():
    kept = photo_without_metadata(photo(fmt="WEBP", name="pothole.webp", exif=exif_of(latitude=38.5, longitude=68.7)))
    copy = Image.open(io.BytesIO(kept))
    assert copy.format == "WEBP" and copy.size == (80, 40)
    assert b"EXIF" not in kept and not copy.getexif()


# --- what is refused ---------------------------------------------------------------------------------------------

def test_a_file_that_is_no_picture_is_refused_with_a_message_on_its_field():
    refused = refusal(SimpleUploadedFile("pothole.jpg", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n",
                                         content_type="image/jpeg"))
    assert refused.code == "not_an_image" and refused.status == 400
    assert refused.fields == {"photo": ["“pothole.jpg” is not a photo. Send a JPEG, PNG or WebP image."]}
    with translation.override("ru"):
        refused = refusal(SimpleUploadedFile("pothole.jpg", b"GIF89a\x01\x00\x01\x00", content_type="image/gif"))
    assert refused.message == "Файл «pothole.jpg» — не фотография. Отправьте изображение JPEG, PNG или WebP."


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = png_bomb(30_000, 30_000)  # 900 million pixels in a small file
    assert len(bomb) < 1_000_000
    refused = refusal(SimpleUploadedFile("huge.png", bomb, content_type="image/png"))
    assert refused.code == "too_many_pixels"
    assert "too many pixels" in refused.message
    # Between Pillow's limit and twice it Pillow only warns; that is refused too.
    assert refusal(SimpleUploadedFile("big.png", png_bomb(10_000, 10_000))).code == "too_many_pixels"
    assert photo_location(SimpleUploadedFile("huge.png", bomb)) is None


def test_a_file_over_the_upload_limit_is_refused_before_it_is_read(settings):
    settings.MUNIS_UPLOAD_MAX_BYTES = 1000
    big = photo(Image.effect_noise((200, 200), 60).convert("RGB"))
    assert big.size > 1000
    refused = refusal(big)
    assert refused.code == "too_large" and "the limit is 1000" in refused.message


def test_a_damaged_photo_is_refused():
    whole = phone_photo().read()
    refused = refusal(SimpleUploadedFile("cut.jpg", whole[: len(whole) // 2]))
    assert refused.code == "damaged" and refused.message == "“cut.jpg” is damaged or incomplete."
