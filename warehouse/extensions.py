"""Flask extensions, created unbound and initialised by create_app."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from warehouse.models.base import Base

# Models derive from our own typed Base; the extension shares its metadata for migrations.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate(compare_type=True, render_as_batch=True)
login = LoginManager()
csrf = CSRFProtect()
babel = Babel()
