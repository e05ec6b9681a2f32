"""Uploads are multipart/form-data (field `source`), so no JSON body model is needed here."""

UPLOAD_FIELD = "source"
