<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.16-Białowieża" styleCategories="Symbology">
  <renderer-v2 type="graduatedSymbol" attr="share_over_90" graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">
    <ranges>
      <range lower="0" upper="0.05" label="Menos de 5 % con más de 90 días de adeudo" symbol="0" render="true" />
      <range lower="0.05" upper="0.1" label="5 % o más" symbol="1" render="true" />
      <range lower="0.1" upper="0.2" label="10 % o más" symbol="2" render="true" />
      <range lower="0.2" upper="0.3" label="20 % o más" symbol="3" render="true" />
      <range lower="0.3" upper="1000000000000.0" label="30 % o más" symbol="4" render="true" />
    </ranges>
    <symbols>
      <symbol type="fill" name="0" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="254,229,217,255" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="style" value="solid" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="1" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="252,174,145,255" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="style" value="solid" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="2" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="251,106,74,255" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="style" value="solid" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="3" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="222,45,38,255" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="style" value="solid" type="QString" />
          </Option>
        </layer>
      </symbol>
      <symbol type="fill" name="4" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" pass="0" locked="0">
          <Option type="Map">
            <Option name="color" value="165,15,21,255" type="QString" />
            <Option name="outline_color" value="35,35,35,255" type="QString" />
            <Option name="outline_width" value="0.2" type="QString" />
            <Option name="outline_width_unit" value="MM" type="QString" />
            <Option name="style" value="solid" type="QString" />
          </Option>
        </layer>
      </symbol>
    </symbols>
  </renderer-v2>
</qgis>
