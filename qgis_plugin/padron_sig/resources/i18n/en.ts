<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="es_MX">
<context>
    <name>@default</name>
    <message>
        <location filename="../../core/errors.py" line="55"/>
        <source>No se pudo conectar con {server}. Revise la dirección del servidor y su conexión a internet.</source>
        <translation>Could not connect to {server}. Check the server address and your internet connection.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="63"/>
        <source>{server} no respondió a tiempo. Intente de nuevo en unos minutos.</source>
        <translation>{server} did not answer in time. Try again in a few minutes.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="67"/>
        <source>La conexión segura con {server} falló (certificado no válido).</source>
        <translation>The secure connection to {server} failed (invalid certificate).</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="69"/>
        <source>Operación cancelada.</source>
        <translation>Operation cancelled.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="71"/>
        <source>No hay sesión con el servidor. Use «Conectar» e ingrese su usuario y contraseña.</source>
        <translation>No session with the server. Use “Connect” and enter your user name and password.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="78"/>
        <source>{server} respondió, pero no como la API de Padrón SIG. Revise la dirección del servidor.</source>
        <translation>{server} answered, but not as the Padrón SIG API. Check the server address.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="87"/>
        <source>Usuario o contraseña incorrectos.</source>
        <translation>Wrong user name or password.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="89"/>
        <source>La sesión expiró o el token ya no es válido. Use «Conectar» para ingresar de nuevo.</source>
        <translation>The session expired or the token is no longer valid. Use “Connect” to log in again.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="97"/>
        <source>Su usuario no tiene un rol con permiso para esta información.</source>
        <translation>Your user has no role allowed to see this information.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="99"/>
        <source>{server} no tiene esta información (404). Revise la dirección del servidor.</source>
        <translation>{server} does not have this information (404). Check the server address.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="108"/>
        <source>Solicitud no válida: {detail}</source>
        <translation>Invalid request: {detail}</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="109"/>
        <source>Solicitud no válida.</source>
        <translation>Invalid request.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="111"/>
        <source>Demasiadas solicitudes; espere un momento e intente de nuevo.</source>
        <translation>Too many requests; wait a moment and try again.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="113"/>
        <source>Error en {server} ({status}). Intente más tarde o avise al administrador.</source>
        <translation>Error on {server} ({status}). Try later or tell the administrator.</translation>
    </message>
    <message>
        <location filename="../../core/errors.py" line="117"/>
        <source>Respuesta inesperada de {server} (HTTP {status}).</source>
        <translation>Unexpected answer from {server} (HTTP {status}).</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="13"/>
        <source>•••• (oculto para su rol)</source>
        <translation>•••• (hidden for your role)</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="18"/>
        <source>Activo</source>
        <translation>Active</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="19"/>
        <source>Restringido</source>
        <translation>Restricted</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="20"/>
        <source>Suspendido / cortado</source>
        <translation>Suspended / cut off</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="21"/>
        <source>Baja temporal</source>
        <translation>Temporarily closed</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="22"/>
        <source>Baja definitiva</source>
        <translation>Closed</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="25"/>
        <source>Doméstico</source>
        <translation>Domestic</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="26"/>
        <source>Doméstico popular</source>
        <translation>Domestic, low income</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="27"/>
        <source>Doméstico medio</source>
        <translation>Domestic, middle income</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="28"/>
        <source>Doméstico residencial</source>
        <translation>Domestic, residential</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="29"/>
        <source>Comercial</source>
        <translation>Commercial</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="30"/>
        <source>Industrial</source>
        <translation>Industrial</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="31"/>
        <source>Mixto</source>
        <translation>Mixed</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="32"/>
        <source>Servicios públicos</source>
        <translation>Public services</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="35"/>
        <source>Funcionando</source>
        <translation>Working</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="36"/>
        <source>Dañado</source>
        <translation>Damaged</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="37"/>
        <source>Enterrado / inaccesible</source>
        <translation>Buried / inaccessible</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="38"/>
        <source>Retirado</source>
        <translation>Removed</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Clave catastral</source>
        <translation>Cadastral key</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="42"/>
        <source>Coordenadas de la toma</source>
        <translation>Connection coordinates</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="43"/>
        <source>Dirección</source>
        <translation>Address</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="44"/>
        <source>Interpolación de número</source>
        <translation>House-number interpolation</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="46"/>
        <source>Frente del predio</source>
        <translation>Parcel frontage</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="47"/>
        <source>Asignado por una persona</source>
        <translation>Set by a person</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="49"/>
        <source>Sin vínculo</source>
        <translation>Not linked</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="35"/>
        <source>Conectar</source>
        <translation>Connect</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="36"/>
        <source>Cerrar</source>
        <translation>Close</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="48"/>
        <source>Escriba la dirección del servidor, p. ej. https://padron.ejemplo.gob.mx</source>
        <translation>Type the server address, e.g. https://padron.ejemplo.gob.mx</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="55"/>
        <source>Escriba su usuario y su contraseña.</source>
        <translation>Type your user name and your password.</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="59"/>
        <source>Conectando con {server}…</source>
        <translation>Connecting to {server}…</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="67"/>
        <source>Error</source>
        <translation>Error</translation>
    </message>
    <message>
        <location filename="../../dialog.py" line="73"/>
        <source>No se pudo guardar el token en la base de autenticación de QGIS. Ingrese la contraseña maestra de QGIS e intente de nuevo.</source>
        <translation>The token could not be stored in the QGIS authentication database. Enter the QGIS master password and try again.</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="186"/>
        <source>Conectado como {user} a {server}.</source>
        <translation>Connected as {user} to {server}.</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Calle</source>
        <translation>Street</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Número</source>
        <translation>Number</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Colonia</source>
        <translation>Neighbourhood</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Uso de suelo</source>
        <translation>Land use</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Estatus</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Adeudo</source>
        <translation>Balance owed</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="15"/>
        <source>Meses de adeudo</source>
        <translation>Months overdue</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="47"/>
        <source>Consultando cuentas y medidores…</source>
        <translation>Fetching accounts and meters…</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="50"/>
        <source>Buscando el predio…</source>
        <translation>Looking for the parcel…</translation>
    </message>
    <message>
        <location filename="../../dock.py" line="61"/>
        <source>{accounts} cuentas, {meters} medidores.</source>
        <translation>{accounts} accounts, {meters} meters.</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="79"/>
        <source>Conectar…</source>
        <translation>Connect…</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="80"/>
        <source>Cargar capas</source>
        <translation>Load layers</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="81"/>
        <source>Inspeccionar predio</source>
        <translation>Inspect parcel</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="230"/>
        <source>{layer} (estilo)</source>
        <translation>{layer} (style)</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="232"/>
        <source>{layer}: se cargaron los primeros {count} elementos; acerque el mapa.</source>
        <translation>{layer}: the first {count} features were loaded; zoom in.</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="244"/>
        <source>No se cargaron: {layers}</source>
        <translation>Not loaded: {layers}</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="246"/>
        <source>{count} capas cargadas.</source>
        <translation>{count} layers loaded.</translation>
    </message>
    <message>
        <location filename="../../plugin.py" line="278"/>
        <source>No hay un predio de Padrón SIG en ese punto.</source>
        <translation>There is no Padrón SIG parcel at that point.</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="61"/>
        <source>Descargar cuentas del área</source>
        <translation>Download the accounts of an area</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="64"/>
        <source>Descarga de Padrón SIG las cuentas ubicadas en la extensión elegida (todas si se deja vacía), con su estatus, tarifa, adeudo, vínculo al predio y su puntaje, a una capa o un archivo (p. ej. GeoPackage). Los nombres de titulares solo se incluyen para los roles que pueden verlos. Use antes «Conectar» del complemento.</source>
        <translation>Downloads from Padrón SIG the accounts located in the chosen extent (all of them when left empty), with their status, tariff, balance, parcel link and its score, to a layer or a file (e.g. GeoPackage). Holder names are included only for the roles allowed to see them. Use the plugin’s “Connect” first.</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="75"/>
        <source>Área</source>
        <translation>Area</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="76"/>
        <source>Solo cuentas con estatus</source>
        <translation>Only accounts with status</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="85"/>
        <source>Cuentas</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="90"/>
        <source>Cuentas descargadas</source>
        <translation>Accounts downloaded</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="127"/>
        <source>{count} cuentas descargadas…</source>
        <translation>{count} accounts downloaded…</translation>
    </message>
    <message>
        <location filename="../../processing_provider.py" line="141"/>
        <source>No se pudo leer la respuesta del servidor.</source>
        <translation>The server’s answer could not be read.</translation>
    </message>
    <message>
        <location filename="../../tasks.py" line="55"/>
        <source>Conectando con Padrón SIG</source>
        <translation>Connecting to Padrón SIG</translation>
    </message>
    <message>
        <location filename="../../tasks.py" line="74"/>
        <source>Cargando capas de Padrón SIG</source>
        <translation>Loading Padrón SIG layers</translation>
    </message>
    <message>
        <location filename="../../tasks.py" line="118"/>
        <source>Consultando el predio</source>
        <translation>Fetching the parcel</translation>
    </message>
    <message>
        <location filename="../../core/inspect.py" line="45"/>
        <source>Desempate por ruta de lectura</source>
        <translation>Tie broken by reading route</translation>
    </message>
</context>
<context>
    <name>ConnectDialog</name>
    <message>
        <location filename="../ui/connect_dialog.ui" line="14"/>
        <source>Conectar con Padrón SIG</source>
        <translation>Connect to Padrón SIG</translation>
    </message>
    <message>
        <location filename="../ui/connect_dialog.ui" line="22"/>
        <source>Servidor</source>
        <translation>Server</translation>
    </message>
    <message>
        <location filename="../ui/connect_dialog.ui" line="39"/>
        <source>Usuario</source>
        <translation>User</translation>
    </message>
    <message>
        <location filename="../ui/connect_dialog.ui" line="52"/>
        <source>Contraseña</source>
        <translation>Password</translation>
    </message>
</context>
<context>
    <name>InspectDock</name>
    <message>
        <location filename="../ui/inspect_dock.ui" line="14"/>
        <source>Predio (Padrón SIG)</source>
        <translation>Parcel (Padrón SIG)</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="21"/>
        <source>Haga clic en un predio con la herramienta «Inspeccionar predio».</source>
        <translation>Click a parcel with the “Inspect parcel” tool.</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="34"/>
        <source>Cuentas</source>
        <translation>Accounts</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="120"/>
        <source>Cuenta</source>
        <translation>Account</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="53"/>
        <source>Titular</source>
        <translation>Holder</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="58"/>
        <source>Estatus</source>
        <translation>Status</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="63"/>
        <source>Tarifa</source>
        <translation>Tariff</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="68"/>
        <source>Adeudo</source>
        <translation>Balance owed</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="73"/>
        <source>Meses de adeudo</source>
        <translation>Months overdue</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="78"/>
        <source>Vinculación</source>
        <translation>Link</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="83"/>
        <source>Puntaje</source>
        <translation>Score</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="91"/>
        <source>Medidores</source>
        <translation>Meters</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="105"/>
        <source>Serie</source>
        <translation>Serial</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="110"/>
        <source>Estado</source>
        <translation>State</translation>
    </message>
    <message>
        <location filename="../ui/inspect_dock.ui" line="115"/>
        <source>Diámetro</source>
        <translation>Diameter</translation>
    </message>
</context>
</TS>
