from rest_framework import serializers

from .. import resumable
from ..upload_sessions import UploadSession


class UploadStartSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, help_text="The file's name (made safe before it is kept).")
    size = serializers.IntegerField(min_value=1, help_text="The file's size in bytes.")


class UploadSessionSerializer(serializers.ModelSerializer):
    offset = serializers.IntegerField(read_only=True, help_text="Bytes received so far: the next chunk starts here.")
    chunk_size = serializers.SerializerMethodField(help_text="The most bytes one chunk may carry.")
    complete = serializers.BooleanField(source="is_complete", read_only=True,
                                        help_text="All bytes are in: the id can be sent with a form.")
    expires_at = serializers.DateTimeField(read_only=True,
                                           help_text="Unless another chunk comes, or the file is used, by then.")

    class Meta:
        model = UploadSession
        fields = ["id", "name", "size", "offset", "chunk_size", "complete", "expires_at"]
        read_only_fields = fields

    def get_chunk_size(self, obj) -> int:
        return resumable.CHUNK_BYTES
