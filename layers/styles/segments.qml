<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" styleCategories="Symbology">
  <renderer-v2 type="graduatedSymbol" attr="arrears_count" graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">
    <ranges>
      <range lower="0" upper="1" label="Sin cuentas con adeudo" symbol="0" render="true" />
      <range lower="1" upper="3" label="1 a 2 cuentas con adeudo" symbol="1" render="true" />
      <range lower="3" upper="6" label="3 a 5" symbol="2" render="true" />
      <range lower="6" upper="11" label="6 a 10" symbol="3" render="true" />
      <range lower="11" upper="1000000000000.0" label="Más de 10" symbol="4" render="true" />
    </ranges>
    <symbols>
      <symbol type="line" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="204,204,204,255" type="QString" />
            <Option name="line_width" value="0.8" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="254,224,139,255" type="QString" />
            <Option name="line_width" value="0.8" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="252,141,89,255" type="QString" />
            <Option name="line_width" value="0.8" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="215,48,39,255" type="QString" />
            <Option name="line_width" value="0.8" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="line" name="4" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleLine" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="line_color" value="127,0,0,255" type="QString" />
            <Option name="line_width" value="0.8" type="QString" />
            <Option name="line_width_unit" value="MM" type="QString" />
            <Option name="capstyle" value="round" type="QString" />
            <Option name="joinstyle" value="round" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
</qgis>
